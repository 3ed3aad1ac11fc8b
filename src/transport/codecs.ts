/**
 * Which codec encodes a value, and which decodes a record (by the id in its header).
 *
 * @module
 */
import type { Codec } from "./codec.ts";
import { genericCodec } from "./generic-codec.ts";
import { jsonTextCodec, jsonTextMirrorCodec } from "./json-text-codec.ts";
import { stringCodec } from "./string-codec.ts";

const byId: (Codec | undefined)[] = [];
for (const codec of [stringCodec, genericCodec, jsonTextCodec, jsonTextMirrorCodec] as Codec[]) byId[codec.id] = codec;

/**
 * The codec for a value: strings travel as raw UTF-8, everything else as generic structured values.
 *
 * @example
 * ```ts
 * codecForValue("line").name; // "string"
 * codecForValue({ a: 1 }).name; // "generic"
 * ```
 */
export function codecForValue(value: unknown): Codec {
  return (typeof value === "string" ? stringCodec : genericCodec) as Codec;
}

/** The codec with this id, or undefined for an id nobody registered (a corrupt record). */
export function codecById(id: number): Codec | undefined {
  return byId[id];
}
