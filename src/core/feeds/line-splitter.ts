/**
 * Splits a byte stream read in chunks into lines, as byte ranges: no text is decoded here (a JS string per
 * line cost ~170 ns on the feed's thread, more than finding the terminators; the consumer decodes). Lines
 * end at `\n`, `\r\n` or `\r`; a `\r\n` split across two chunks is one terminator. Multi-byte UTF-8
 * characters split across chunks are safe because lines are cut on the terminator bytes, which never
 * occur inside a multi-byte character. A line without a terminator yet is held until it is complete,
 * however long it grows. Empty lines carry nothing and are skipped.
 *
 * @module
 */
import { Buffer } from "node:buffer";

const LF = 10;
const CR = 13;

/**
 * Receives each complete line as the UTF-8 bytes `bytes[from, to)` (terminator excluded), with the file
 * offsets of its start and of the byte after its terminator, and its number counted from the splitter's
 * start position (empty lines counted too, though not reported). `bytes` is either the pushed chunk or the
 * splitter's own buffer for a line assembled from several chunks, which it reuses: copy what you keep.
 */
export type LineListener = (bytes: Buffer, from: number, to: number, startOffset: number, endOffset: number, lineNumber: number) => void;

/**
 * @example
 * ```ts
 * const splitter = new LineSplitter(0);
 * const print = (bytes: Buffer, from: number, to: number) => console.log(bytes.toString("utf8", from, to));
 * splitter.push(Buffer.from("a\r"), 2, print); // "a"
 * splitter.push(Buffer.from("\nb\n"), 3, print); // "b" (the \n completes \r\n)
 * ```
 */
export class LineSplitter {
  private carry = Buffer.alloc(4096);
  private carryLength = 0;
  /** The previous chunk ended with `\r`: a `\n` first in the next chunk belongs to it. */
  private afterCR = false;
  /** Lines ended since the start position, empty ones included. */
  private lineCount = 0;

  /** @param position file offset of the next byte to be pushed */
  constructor(private position: number, startsAfterCR = false) {
    this.afterCR = startsAfterCR;
  }

  /** File offset of the next byte expected. */
  get nextOffset(): number {
    return this.position;
  }

  /** Bytes held in an unfinished line. */
  get pendingBytes(): number {
    return this.carryLength;
  }

  /** Feeds `chunk[0, length)`, which starts at {@link LineSplitter.nextOffset}; reports every line it completes. */
  push(chunk: Buffer, length: number, onLine: LineListener): void {
    let pos = 0;
    if (this.afterCR && length > 0) {
      this.afterCR = false;
      if (chunk[0] === LF) pos = 1;
    }
    let lineStart = pos;
    let nextCR = chunk.indexOf(CR, pos);
    while (pos < length) {
      let nextLF = chunk.indexOf(LF, pos);
      if (nextLF >= length) nextLF = -1;
      if (nextCR >= 0 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
      if (nextCR >= length) nextCR = -1;
      let end: number;
      let after: number;
      if (nextCR >= 0 && (nextLF < 0 || nextCR < nextLF)) {
        end = nextCR;
        if (nextCR + 1 < length) after = chunk[nextCR + 1] === LF ? nextCR + 2 : nextCR + 1;
        else {
          after = nextCR + 1;
          this.afterCR = true;
        }
      } else if (nextLF >= 0) {
        end = nextLF;
        after = nextLF + 1;
      } else {
        break;
      }
      this.emit(chunk, lineStart, end, after, onLine);
      pos = after;
      lineStart = after;
    }
    if (lineStart < length) this.append(chunk, lineStart, length);
    this.position += length;
  }

  /** The input ended (a file read once): the held unfinished line, if any, counts as a line. */
  end(onLine: LineListener): void {
    if (this.carryLength === 0) return;
    const start = this.position - this.carryLength;
    const length = this.carryLength;
    this.carryLength = 0;
    onLine(this.carry, 0, length, start, this.position, ++this.lineCount);
  }

  private emit(chunk: Buffer, from: number, to: number, after: number, onLine: LineListener): void {
    const chunkStart = this.position;
    const lineNumber = ++this.lineCount;
    if (this.carryLength > 0) {
      const start = chunkStart - this.carryLength;
      this.append(chunk, from, to);
      const length = this.carryLength;
      this.carryLength = 0;
      onLine(this.carry, 0, length, start, chunkStart + after, lineNumber);
      return;
    }
    if (to > from) onLine(chunk, from, to, chunkStart + from, chunkStart + after, lineNumber);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const needed = this.carryLength + (to - from);
    if (needed > this.carry.length) {
      let size = this.carry.length * 2;
      while (size < needed) size *= 2;
      const grown = Buffer.alloc(size);
      this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carryLength, from, to);
    this.carryLength = needed;
  }
}
