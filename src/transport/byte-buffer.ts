/**
 * A growable, reusable byte buffer: codecs encode into it, and fragmented records are reassembled in it.
 *
 * @module
 */

/**
 * Bytes plus a DataView over them, grown by doubling. Reused across events so the hot path does not
 * allocate; after {@link ByteBuffer.ensure} grows it, re-read `bytes` and `view`.
 *
 * @example
 * ```ts
 * const buffer = new ByteBuffer(64);
 * buffer.ensure(1000);
 * buffer.view.setFloat64(992, 1.5, true);
 * ```
 */
export class ByteBuffer {
  bytes: Uint8Array;
  view: DataView;

  constructor(initialCapacity = 1024) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for at least `capacity` bytes, keeping the current content. */
  ensure(capacity: number): void {
    if (capacity <= this.bytes.length) return;
    let next = this.bytes.length * 2;
    while (next < capacity) next *= 2;
    const grown = new Uint8Array(next);
    grown.set(this.bytes);
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}
