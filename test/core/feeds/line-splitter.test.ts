import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { type LineListener, LineSplitter } from "../../../src/core/feeds/line-splitter.ts";
import { seededRandom } from "../../helpers.ts";

type Line = [string, number, number];

/** Pushes `text` through a splitter in chunks of the given sizes (cycled); returns the lines and what is left. */
function split(text: string | Buffer, chunkSizes: number[], atEnd = false): { lines: Line[]; pending: number } {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const splitter = new LineSplitter(0);
  const lines: Line[] = [];
  const onLine = (line: Buffer, from: number, to: number, start: number, end: number) => void lines.push([line.toString("utf8", from, to), start, end]);
  const scratch = Buffer.alloc(1 << 16, 0x2a); // stale bytes past `length` must be ignored
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.min(chunkSizes[i % chunkSizes.length], bytes.length - offset);
    bytes.copy(scratch, 0, offset, offset + size);
    splitter.push(scratch, size, onLine);
    offset += size;
  }
  if (atEnd) splitter.end(onLine);
  return { lines, pending: splitter.pendingBytes };
}

describe("line splitter", () => {
  it("splits on \\n, \\r\\n and \\r with the offset of each line and of the byte after its terminator", () => {
    expect(split("a\nbb\r\ncc\rd\n", [64]).lines).toEqual([["a", 0, 2], ["bb", 2, 6], ["cc", 6, 9], ["d", 9, 11]]);
  });

  it("numbers lines from its start, counting the empty lines it does not report", () => {
    const numbers: [string, number][] = [];
    const splitter = new LineSplitter(0);
    const text = Buffer.from("a\n\n\r\nb\r\rc\nd");
    const onLine: LineListener = (line, from, to, _start, _end, lineNumber) => void numbers.push([line.toString("utf8", from, to), lineNumber]);
    splitter.push(text, text.length, onLine);
    splitter.end(onLine);
    expect(numbers).toEqual([["a", 1], ["b", 4], ["c", 6], ["d", 7]]);
  });

  it("treats a \\r\\n split across reads as one terminator", () => {
    // A line whose \r ends a read is reported at once, ending after the \r; the \n that follows is skipped.
    expect(split("ab\r\ncd\r\n", [3, 1, 3]).lines).toEqual([["ab", 0, 3], ["cd", 4, 7]]);
    const resumed = new LineSplitter(3, true);
    const lines: string[] = [];
    resumed.push(Buffer.from("\ncd\n"), 4, (line, from, to) => void lines.push(line.toString("utf8", from, to)));
    expect(lines).toEqual(["cd"]);
  });

  it("keeps multi-byte characters split across reads intact", () => {
    const text = "héllo wörld ✓ 𝄞 日本語\nsecond ✓\n";
    for (const size of [1, 2, 3, 5, 7]) expect(split(text, [size]).lines.map((l) => l[0])).toEqual(["héllo wörld ✓ 𝄞 日本語", "second ✓"]);
  });

  it("holds a partial last line until it is complete, or until the input ends", () => {
    const held = split("complete\npartial li", [4]);
    expect(held.lines.map((l) => l[0])).toEqual(["complete"]);
    expect(held.pending).toBe(10);
    expect(split("complete\npartial li", [4], true).lines).toEqual([["complete", 0, 9], ["partial li", 9, 19]]);
  });

  it("skips empty lines", () => {
    expect(split("\n\na\n\r\n\rb\n", [64]).lines.map((l) => l[0])).toEqual(["a", "b"]);
  });

  it("handles a 10 MB line read in 64 KiB chunks", () => {
    const long = "x".repeat(10 * 1024 * 1024);
    const { lines } = split(`short\n${long}\nafter\n`, [65536]);
    expect(lines.map((l) => l[0].length)).toEqual([5, long.length, 5]);
    expect(lines[1][0] === long).toBe(true);
  });

  it("agrees with a one-shot split for random text and random chunk sizes", () => {
    const random = seededRandom(99);
    const pieces = ["a", "bc", "é", "✓", "𝄞", "\n", "\r", "\r\n", "xyz"];
    const text = Array.from({ length: 5000 }, () => pieces[Math.floor(random() * pieces.length)]).join("");
    const expected = text.split(/\r\n|\n|\r/).filter((line) => line.length > 0);
    const sizes = Array.from({ length: 50 }, () => 1 + Math.floor(random() * 40));
    expect(split(text, sizes, true).lines.map((l) => l[0])).toEqual(expected);
  });
});
