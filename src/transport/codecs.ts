/**
 * Which codec encodes a value, and which decodes a record (by the id in its header).
 *
 * @module
 */
import type { Codec } from "./codec.ts";
import { isFixedEvent } from "./fixed-layout.ts";
import { genericCodec } from "./generic-codec.ts";
import { jsonTextCodec, jsonTextMirrorCodec } from "./json-text-codec.ts";
import { stringCodec } from "./string-codec.ts";

const builtins: (Codec | undefined)[] = [];
for (const codec of [stringCodec, genericCodec, jsonTextCodec, jsonTextMirrorCodec] as Codec[]) builtins[codec.id] = codec;

/**
 * The codec for a value: strings travel as raw UTF-8, fixed-layout events with their type's codec,
 * everything else as generic structured values. A string with a lone surrogate goes generic too, since
 * UTF-8 cannot hold it and the generic codec carries it exactly.
 *
 * @example
 * ```ts
 * codecForValue("line").name; // "string"
 * codecForValue("a\uD800b").name; // "generic"
 * codecForValue({ a: 1 }).name; // "generic"
 * ```
 */
export function codecForValue(value: unknown): Codec {
  if (typeof value === "string") return (value.isWellFormed() ? stringCodec : genericCodec) as Codec;
  return (isFixedEvent(value) ? value.eventType.codec : genericCodec) as Codec;
}

/** The built-in codec with this id, or undefined (an event type's id, or a corrupt record). */
export function codecById(id: number): Codec | undefined {
  return builtins[id];
}

/**
 * The codecs one consumer decodes with: the built-ins plus a server's fixed-layout event types.
 *
 * @example
 * ```ts
 * const table = new CodecTable([tickType.codec]);
 * table.get(1)?.name; // "string"
 * ```
 */
export class CodecTable {
  private readonly byId: (Codec | undefined)[];

  constructor(extra: readonly Codec[] = []) {
    this.byId = builtins.slice();
    for (const codec of extra) this.byId[codec.id] = codec;
  }

  /** The codec with this id, or undefined for an id nobody registered (a corrupt record). */
  get(id: number): Codec | undefined {
    return this.byId[id];
  }
}
