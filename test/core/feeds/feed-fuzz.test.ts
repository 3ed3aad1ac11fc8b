/**
 * Bad feed data tried deliberately: a file mixing valid lines (each with an id) with random bytes,
 * invalid UTF-8, empty lines, NUL bytes, malformed JSON, JSON of unexpected types and a 10 MB line is read
 * by a file feed through real workers, once with the `json` value mapper and once with `string`. Every
 * valid line must be handled exactly once; every invalid one must reach the dead-letter sink with its
 * feed, sequence number, reason and the event; the server must keep running and its counters agree.
 *
 * The seed is printed; `MONGOOSE_FUZZ_SEED=<n>` replays a run.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import process from "node:process";
import type { MongooseServer } from "../../../src/mod.ts";
import { boot, eventually, seededRandom, tempDir } from "../../helpers.ts";

const SEED = Number(process.env.MONGOOSE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`feed fuzz: seed ${SEED} (replay with MONGOOSE_FUZZ_SEED=${SEED})`);

type Mode = "json" | "string";
type Random = () => number;

/** One line of the generated file: its bytes, and the id it carries when it is valid. */
interface Line {
  bytes: Buffer;
  id?: number;
  kind: string;
}

const BIG = 10 * 1024 * 1024;

/** Random bytes, never a line terminator; the leading `~` keeps them from being valid by chance. */
function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length + 1, "~");
  for (let i = 1; i <= length; i++) {
    let byte = Math.floor(random() * 256);
    while (byte === 10 || byte === 13) byte = Math.floor(random() * 256);
    bytes[i] = byte;
  }
  return bytes;
}

/** A valid line for the mode, carrying `id`. */
function valid(mode: Mode, id: number, padding = 0): Buffer {
  const pad = "z".repeat(padding);
  return Buffer.from(mode === "json" ? JSON.stringify(padding ? { id, pad } : { id }) : padding ? `ok ${id} ${pad}` : `ok ${id}`);
}

/** Invalid lines of every kind; in `json` mode a parseable value of the wrong shape is refused by the handler. */
function invalid(mode: Mode, random: Random): Line {
  const kinds: [string, () => Buffer][] = [
    ["random bytes", () => randomBytes(random, 1 + Math.floor(random() * 64))],
    ["invalid UTF-8", () => Buffer.from([0x7e, 0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc])],
    ["NUL bytes", () => Buffer.from(mode === "json" ? '{"id":\u0000 1}' : "ok \u0000 1")],
    ["malformed JSON", () => Buffer.from(['{"id": 1', '{"id": oops}', "[1, 2", '{"id": 1,}', "{'id': 1}", "NaN", "undefined"][Math.floor(random() * 7)])],
    ["a number", () => Buffer.from(String(Math.floor(random() * 1e6)))],
    ["an array", () => Buffer.from("[1, 2, 3]")],
    ["a string", () => Buffer.from('"just text"')],
    ["an object without an id", () => Buffer.from('{"name": "no id"}')],
    ["a fractional id", () => Buffer.from('{"id": 1.5}')],
    ["whitespace", () => Buffer.from(" \t ")],
  ];
  const [kind, make] = kinds[Math.floor(random() * kinds.length)];
  return { kind, bytes: make() };
}

/** The file's lines: valid ones with ids 0…, and among them bad ones, empty lines and one 10 MB valid line. */
function generate(mode: Mode, random: Random, validCount: number): Line[] {
  const lines: Line[] = [];
  for (let id = 0; id < validCount; id++) {
    while (random() < 0.2) lines.push(random() < 0.2 ? { kind: "empty", bytes: Buffer.alloc(0) } : invalid(mode, random));
    lines.push({ kind: "valid", id, bytes: valid(mode, id, id === Math.floor(validCount / 2) ? BIG : 0) });
  }
  lines.push({ kind: "malformed, 1 MB", bytes: Buffer.concat([Buffer.from("~"), Buffer.alloc(1024 * 1024, "q")]) });
  return lines;
}

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-feed-fuzz-")));
afterEach(() => temp.cleanup());

describe("file feed fuzzing", () => {
  for (const mode of ["json", "string"] as const) {
    test(`valueMapper ${mode}: every valid line handled once, every bad one dead-lettered with its metadata`, async () => {
      const random = seededRandom(SEED + (mode === "json" ? 0 : 1));
      const lines = generate(mode, random, 2000);
      const file = temp.path("in.data");
      const terminators = ["\n", "\r\n", "\r"].map((text) => Buffer.from(text));
      const offsets = new Map<Line, number>();
      let offset = 0;
      let previous = terminators[0];
      writeFileSync(file, Buffer.concat(lines.flatMap((line) => {
        // "\r" then an empty line ended by "\n" would be one "\r\n": keep the empty line a line.
        const terminator = line.kind === "empty" && previous === terminators[2] ? previous : terminators[Math.floor(random() * 3)];
        previous = terminator;
        offsets.set(line, offset);
        offset += line.bytes.length + terminator.length;
        return [line.bytes, terminator];
      })));
      const validIds = lines.flatMap((line) => (line.id === undefined ? [] : [line.id]));
      const bad = lines.filter((line) => line.id === undefined && line.kind !== "empty");

      const server: MongooseServer = await boot({
        eventFeeds: [{ name: "fuzzed", type: "file", filename: file, readStrategy: "EARLIEST", valueMapper: mode, broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }, { name: "dlq", type: "memory" }],
        eventHandlers: [{ agentName: "checker", eventHandlers: { check: { handler: "./shape-checker.ts", configMap: { mode } } } }],
        deadLetter: "dlq",
      }, { logLevel: "silent" });
      let letters: Record<string, unknown>[];
      try {
        await server.sink("out").waitFor(validIds.length, 120_000);
        await eventually(() => server.sink("dlq").values().length >= bad.length, `${bad.length} dead letters (seed ${SEED})`, 120_000);
        expect(server.health().live).toBe(true);
      } finally {
        await server.stop();
      }
      letters = server.sink<Record<string, unknown>>("dlq").values();

      // Every valid line exactly once, in order.
      expect(server.sink<number>("out").values()).toEqual(validIds);
      // Every bad line once, in order, with its metadata; the sequence number is the line's place among
      // the non-empty lines (empty lines carry nothing).
      const nonEmpty = lines.filter((line) => line.kind !== "empty");
      expect(letters.length).toBe(bad.length);
      letters.forEach((letter, index) => {
        const line = bad[index];
        const context = `seed ${SEED}, bad line ${index} (${line.kind}): ${JSON.stringify(letter).slice(0, 300)}`;
        expect({ context, feed: letter.feed, sequence: letter.sequenceNumber }).toEqual({ context, feed: "fuzzed", sequence: nonEmpty.indexOf(line) + 1 });
        expect(typeof letter.time === "string" && typeof letter.error === "string" && letter.error !== "").toBe(true);
        if (letter.reason === "parse-error") {
          const where = { line: lines.indexOf(line) + 1, offset: offsets.get(line) };
          expect({ context, event: letter.event, line: letter.line, offset: letter.offset }).toEqual({ context, event: line.bytes.toString("utf8"), ...where });
        } else {
          expect({ context, reason: letter.reason, handler: letter.handler }).toEqual({ context, reason: "handler-error", handler: "check" });
        }
      });

      const parseErrors = letters.filter((letter) => letter.reason === "parse-error").length;
      expect(server.counter("dead_letter_total", { reason: "parse-error" })).toBe(parseErrors);
      expect(server.counter("dead_letter_total", { reason: "handler-error" })).toBe(bad.length - parseErrors);
      expect(server.counter("handler_errors_total", { handler: "check" })).toBe(bad.length - parseErrors);
      expect(server.counter("handler_events_total", { handler: "check" })).toBe(validIds.length + bad.length - parseErrors);
      expect(server.counter("feed_published_total", { feed: "fuzzed" })).toBe(nonEmpty.length);
      if (mode === "string") expect(parseErrors).toBe(0);
    }, 300_000);
  }
});
