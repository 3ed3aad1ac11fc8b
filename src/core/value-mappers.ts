/**
 * Value mappers: `valueMapper: string | json | ./mapper.ts` on feeds (raw event → event, applied on the
 * feed's agent, except that `json` text is parsed by the subscribers: see jsonTextCodec) and on sinks
 * (value → what the sink writes).
 *
 * Feeds: `string` passes text through (other values become their String()); `json` parses text as JSON;
 * a module exports a function `(value, origin) => event`, or a class/object with such a `map` method.
 * A mapper returning `null` or `undefined` drops the event (counted). A mapper that throws sends the event
 * to the dead-letter sink.
 *
 * Sinks: `string` writes strings as they are and other values as JSON; `json` writes every value as JSON
 * (strings quoted); a module exports `(value) => written`, `null`/`undefined` skipping the value.
 *
 * @module
 */
import type { MapperSource } from "../plan/types.ts";
import { importExport, instantiate, isClass, ModuleLoadError } from "../modules/module-loader.ts";
import type { EventOrigin } from "./plugin-api.ts";

/** A feed mapper: returns the event, or null/undefined to drop it. */
export type Mapper = (value: unknown, origin?: EventOrigin) => unknown;

/** The text a `json` mapper could not parse. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value) ?? String(value));

/**
 * The built-in `json` feed mapper. A feed channel recognises it and sends text lines unparsed, for the
 * subscribers to parse (see jsonTextCodec); it runs as a mapper only on values that are not text.
 */
export const jsonFeedMapper: Mapper = (value) => {
  try {
    return JSON.parse(typeof value === "string" ? value : String(value));
  } catch (error) {
    throw new ParseError((error as Error).message);
  }
};

const feedMappers: Record<"string" | "json", Mapper> = {
  string: (value) => (typeof value === "string" ? value : String(value)),
  json: jsonFeedMapper,
};

const sinkMappers: Record<"string" | "json", Mapper> = {
  string: text,
  json: (value) => JSON.stringify(value) ?? "null",
};

async function loadModuleMapper(source: Extract<MapperSource, { kind: "module" }>): Promise<Mapper> {
  const exported = await importExport(source);
  // A plain function is the mapper itself; a class or factory builds an object with a map method.
  const mapper = typeof exported === "function" && !isClass(exported) ? exported : await instantiate(exported);
  if (typeof mapper === "function") return mapper as Mapper;
  const map = (mapper as { map?: unknown })?.map;
  if (typeof map === "function") return map.bind(mapper) as Mapper;
  throw new ModuleLoadError(source.display, "expected a mapper function, or a class or object with a map method");
}

/**
 * Loads a feed's mapper (undefined: events pass unchanged).
 *
 * @example
 * ```ts
 * const parse = await loadFeedMapper({ kind: "json" });
 * parse!('{"a":1}'); // { a: 1 }
 * ```
 */
export function loadFeedMapper(source: MapperSource | undefined): Promise<Mapper | undefined> {
  if (source === undefined) return Promise.resolve(undefined);
  return source.kind === "module" ? loadModuleMapper(source) : Promise.resolve(feedMappers[source.kind]);
}

/** Loads a sink's mapper (undefined: values pass unchanged). */
export function loadSinkMapper(source: MapperSource | undefined): Promise<Mapper | undefined> {
  if (source === undefined) return Promise.resolve(undefined);
  return source.kind === "module" ? loadModuleMapper(source) : Promise.resolve(sinkMappers[source.kind]);
}

/** How text sinks render a value: strings as they are, anything else as JSON. */
export const renderText = text;
