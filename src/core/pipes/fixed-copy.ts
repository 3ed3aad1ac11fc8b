/**
 * Copies of fixed-layout events for a pipe's subscribers on the writer's own agent, which receive them
 * from a queue on the next duty cycle rather than through a ring. A copy is the event's bytes in an arena
 * shared by the writer's copies, read through the type's decoding flyweight when it is delivered, as a
 * ring record is: no flyweight, typed-array views or byte array is made per event (a new flyweight per
 * copy, with its views, made a local pipe hop cost about 2 µs per event on Bun).
 *
 * @module
 */
import type { ByteBuffer } from "../../transport/byte-buffer.ts";
import { copyBytes } from "../../transport/copy-bytes.ts";
import type { EventType, FixedEvent } from "../../transport/fixed-layout.ts";

/** Bytes of one arena; a full arena is left to the copies still in it, and a new one taken. */
const ARENA_BYTES = 64 * 1024;

/**
 * One queued copy.
 *
 * @example
 * ```ts
 * const copy = arena.copy(tradeType, trade, scratch);
 * handler.onEvent(copy.read()); // valid during this delivery only, like any fixed-layout event
 * ```
 */
export class FixedCopy {
  constructor(readonly type: EventType, private readonly bytes: Uint8Array, private readonly offset: number) {}

  /** The event, through the type's decoding flyweight: valid until the next event of its type is read. */
  read(): FixedEvent {
    return this.type.codec.decode(this.bytes, this.offset, this.type.byteLength);
  }
}

/**
 * The arena a writer copies its local events into.
 *
 * @example
 * ```ts
 * const arena = new FixedCopyArena();
 * queue.push(arena.copy(tradeType, trade, scratch));
 * ```
 */
export class FixedCopyArena {
  private bytes = new Uint8Array(ARENA_BYTES);
  private used = 0;

  /** Encodes `event` (a flyweight or a plain object of the type) through `scratch` and copies it into the arena. */
  copy(type: EventType, event: unknown, scratch: ByteBuffer): FixedCopy {
    const length = type.codec.encode(event as Record<string, unknown>, scratch);
    if (this.used + length > this.bytes.length) {
      this.bytes = new Uint8Array(Math.max(ARENA_BYTES, length));
      this.used = 0;
    }
    const at = this.used;
    copyBytes(scratch.bytes, 0, length, this.bytes, at);
    this.used += length; // a multiple of 8: the next copy stays aligned for the flyweight
    return new FixedCopy(type, this.bytes, at);
  }
}
