import { describe, expect, it } from "bun:test";
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type LogFields, type Logger } from "../../src/log/log.ts";
import { ServerClock } from "../../src/time/clock.ts";
import { defineEvent, EventType } from "../../src/transport/fixed-layout.ts";
import type { EventMeta } from "../../src/core/handler-api.ts";
import type { JournalEntry } from "../../src/core/journal/journal-entry.ts";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../src/core/journal/crc32.ts";
import { decodeHeader, JournalFormatError } from "../../src/core/journal/journal-format.ts";
import { journaledHandlers, readJournal } from "../../src/core/journal/journal-reader.ts";
import { JournalWriter } from "../../src/core/journal/journal-writer.ts";
import { tempDir } from "../helpers.ts";

const clock = new ServerClock(performance.timeOrigin);
const quiet = createLogger({ level: "error", format: "text" });

function writer(dir: string, handler = "pnl", overrides: { rollBytes?: number; retainFiles?: number; log?: Logger } = {}) {
  const { rollBytes = 1 << 26, retainFiles = 10, log = quiet } = overrides;
  return new JournalWriter({ dir, handler, epochOriginMs: clock.epochOriginMs, rollBytes, retainFiles, clock, log });
}

/** A logger that keeps its warnings and errors. */
function warningsLog(): { log: Logger; warnings: [string, LogFields | undefined][]; errors: [string, LogFields | undefined][] } {
  const warnings: [string, LogFields | undefined][] = [];
  const errors: [string, LogFields | undefined][] = [];
  const log: Logger = {
    ...quiet,
    warn: (message, fields) => void warnings.push([message, fields]),
    error: (message, fields) => void errors.push([message, fields]),
    child: () => log,
  };
  return { log, warnings, errors };
}

const meta = (feed: string, sequenceNumber: number): EventMeta => ({ feed, sequenceNumber, publishedAt: 1_700_000_000_000 + sequenceNumber, publishedNanos: 1000 * sequenceNumber });

/** Entries with their clock fields checked and removed, so the rest can be compared exactly. */
function withoutClock(entries: JournalEntry[], from: number, to: number): unknown[] {
  let last = -Infinity;
  return entries.map((entry) => {
    const { clockNanos, epochMillis, ...rest } = entry;
    expect(clockNanos).toBeGreaterThanOrEqual(last);
    last = clockNanos;
    expect(epochMillis).toBeGreaterThanOrEqual(from);
    expect(epochMillis).toBeLessThanOrEqual(to);
    return rest;
  });
}

function collect(dir: string, handler: string): { entries: JournalEntry[]; torn: [string, number][] } {
  const torn: [string, number][] = [];
  const entries = [...readJournal(dir, handler, { onTornTail: (file, offset) => torn.push([file, offset]) })];
  return { entries, torn };
}

describe("journal CRC-32", () => {
  it("agrees with zlib's for every length across the JS and native paths", () => {
    const bytes = new Uint8Array(2048);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3)) & 0xff;
    expect(crc32(new TextEncoder().encode("123456789"), 0, 9)).toBe(0xcbf43926);
    for (let length = 0; length <= 600; length++) {
      const from = (length * 13) % 1000;
      expect(crc32(bytes, from, from + length)).toBe(zlibCrc32(bytes.subarray(from, from + length)) >>> 0);
    }
  });
});

describe("journal format", () => {
  it("round-trips every record kind, with values the generic codec keeps exact", () => {
    const tmp = tempDir();
    try {
      const from = clock.epochMillis();
      const journal = writer(tmp.dir);
      journal.start(123456789, { currency: "USD", limits: [1, 2] });
      const odd = { nan: NaN, big: 12345678901234567890n, none: undefined, bytes: new Uint8Array([1, 2, 3]), nested: { a: [-0, Infinity] } };
      journal.event(odd, meta("prices", 1));
      journal.event("plain text", meta("lines", 7));
      journal.timer(1);
      journal.timer(2);
      journal.config({ currency: "EUR" });
      journal.event(new Date(Date.UTC(2030, 0, 2)), meta("dates", 2));
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      journal.event(cycle, meta("cycles", 3));
      journal.close();
      const to = clock.epochMillis();
      const { entries, torn } = collect(tmp.dir, "pnl");
      expect(torn).toEqual([]);
      const [cycleEntry] = entries.splice(7, 1);
      expect(withoutClock(entries, from, to)).toEqual([
        { kind: "start", seed: 123456789, config: { currency: "USD", limits: [1, 2] } },
        { kind: "event", feed: "prices", sequence: 1, publishedNanos: 1000, publishedEpochMillis: 1_700_000_000_001, value: odd },
        { kind: "event", feed: "lines", sequence: 7, publishedNanos: 7000, publishedEpochMillis: 1_700_000_000_007, value: "plain text" },
        { kind: "timer", ordinal: 1 },
        { kind: "timer", ordinal: 2 },
        { kind: "config", config: { currency: "EUR" } },
        // The generic codec refuses class instances: what JSON makes of it is recorded instead.
        { kind: "event", feed: "dates", sequence: 2, publishedNanos: 2000, publishedEpochMillis: 1_700_000_000_002, value: "2030-01-02T00:00:00.000Z" },
      ]);
      expect(cycleEntry).toMatchObject({ kind: "event", feed: "cycles", sequence: 3, value: undefined });
      expect((cycleEntry as { unrecorded?: string }).unrecorded).toMatch(/cycl|circular/i);
      expect(journaledHandlers(tmp.dir)).toEqual(["pnl"]);
      const file = join(tmp.dir, "pnl", "0000000001.journal");
      expect(decodeHeader(readFileSync(file))).toMatchObject({ version: 1, handler: "pnl", epochOriginMs: clock.epochOriginMs });
    } finally {
      tmp.cleanup();
    }
  });

  it("records a fixed-layout event as its field values, read back as a plain object", () => {
    const tmp = tempDir();
    try {
      const type = new EventType(defineEvent("Quote", { px: "f64", qty: "i64", sym: "ascii(8)", buy: "bool" }), 8);
      const quote = type.flyweight().wrap(new Uint8Array(type.byteLength), 0) as unknown as Record<string, unknown>;
      const journal = writer(tmp.dir);
      quote.px = 101.5;
      quote.qty = 7n;
      quote.sym = "AAPL";
      quote.buy = true;
      journal.event(quote, meta("quotes", 1));
      quote.px = 99.25; // the flyweight moves on: the first record must keep what it read then
      journal.event(quote, meta("quotes", 2));
      journal.close();
      const values = collect(tmp.dir, "pnl").entries.map((entry) => entry.kind === "event" && entry.value);
      expect(values).toEqual([{ px: 101.5, qty: 7n, sym: "AAPL", buy: true }, { px: 99.25, qty: 7n, sym: "AAPL", buy: true }]);
      expect(Object.getPrototypeOf(values[0])).toBe(Object.prototype);
    } finally {
      tmp.cleanup();
    }
  });

  it("writes nothing until flushed, then one whole record after another", () => {
    const tmp = tempDir();
    try {
      const journal = writer(tmp.dir);
      journal.start(1, {});
      journal.event({ n: 1 }, meta("in", 1));
      const file = join(tmp.dir, "pnl", "0000000001.journal");
      const headerOnly = statSync(file).size;
      expect(collect(tmp.dir, "pnl").entries).toEqual([]);
      journal.flush();
      expect(statSync(file).size).toBeGreaterThan(headerOnly);
      expect(collect(tmp.dir, "pnl").entries.map((e) => e.kind)).toEqual(["start", "event"]);
      journal.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe("journal torn tails", () => {
  function journalOf(dir: string, events: number): string {
    const journal = writer(dir);
    journal.start(1, {});
    for (let n = 1; n <= events; n++) journal.event({ n, text: "x".repeat(n) }, meta("in", n));
    journal.close();
    return join(dir, "pnl", "0000000001.journal");
  }

  it("stops at a record cut off mid-way and reports the place once", () => {
    const tmp = tempDir();
    try {
      const file = journalOf(tmp.dir, 20);
      const size = statSync(file).size;
      truncateSync(file, size - 5);
      const { entries, torn } = collect(tmp.dir, "pnl");
      expect(entries.filter((e) => e.kind === "event").map((e) => e.kind === "event" && e.sequence)).toEqual([...Array(19).keys()].map((i) => i + 1));
      expect(torn.length).toBe(1);
      expect(torn[0][0]).toBe(file);
      expect(torn[0][1]).toBeLessThan(size - 5);
    } finally {
      tmp.cleanup();
    }
  });

  it("stops at a flipped byte (CRC mismatch) and reports it once", () => {
    const tmp = tempDir();
    try {
      const file = journalOf(tmp.dir, 20);
      const bytes = readFileSync(file);
      const flipAt = Math.floor(bytes.length * 0.6);
      bytes[flipAt] ^= 0x40;
      writeFileSync(file, bytes);
      const { entries, torn } = collect(tmp.dir, "pnl");
      expect(torn.length).toBe(1);
      expect(torn[0][1]).toBeLessThanOrEqual(flipAt);
      const sequences = entries.flatMap((e) => e.kind === "event" ? [e.sequence] : []);
      expect(sequences.length).toBeGreaterThan(5);
      expect(sequences.length).toBeLessThan(20);
      expect(sequences).toEqual([...Array(sequences.length).keys()].map((i) => i + 1));
    } finally {
      tmp.cleanup();
    }
  });

  it("cuts a torn tail off when the next run opens the folder, and goes on in a new file", () => {
    const tmp = tempDir();
    try {
      const file = journalOf(tmp.dir, 10);
      const whole = statSync(file).size;
      appendFileSync(file, new Uint8Array([200, 0, 0, 0, 1, 2]));
      const { log, warnings } = warningsLog();
      const next = writer(tmp.dir, "pnl", { log });
      next.start(2, {});
      next.close();
      expect(readdirSync(join(tmp.dir, "pnl")).sort()).toEqual(["0000000001.journal", "0000000002.journal"]);
      expect(statSync(file).size).toBe(whole);
      expect(warnings.length).toBe(1);
      expect(warnings[0][1]).toMatchObject({ path: file, removedBytes: 6, keptBytes: whole });
      const { entries, torn } = collect(tmp.dir, "pnl");
      expect(torn).toEqual([]);
      expect(entries.filter((e) => e.kind === "start").map((e) => e.kind === "start" && e.seed)).toEqual([1, 2]);
      expect(entries.filter((e) => e.kind === "event").length).toBe(10);
    } finally {
      tmp.cleanup();
    }
  });

  it("refuses a file that is not a journal, naming it", () => {
    const tmp = tempDir();
    try {
      const file = journalOf(tmp.dir, 1);
      writeFileSync(file, "not a journal at all");
      expect(() => collect(tmp.dir, "pnl")).toThrow(JournalFormatError);
      expect(() => collect(tmp.dir, "pnl")).toThrow(file);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("journal write failures", () => {
  it("reports a journal it cannot write once and drops its records, without throwing to the handler", () => {
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.dir, "pnl"), "a file where the handler's folder should be");
      const { log, errors } = warningsLog();
      const journal = writer(tmp.dir, "pnl", { log });
      journal.start(1, {});
      for (let n = 1; n <= 3; n++) journal.event({ n }, meta("in", n));
      journal.timer(1);
      journal.flush();
      journal.close();
      expect(errors.length).toBe(1);
      expect(errors[0][0]).toContain(`cannot open journal file ${join(tmp.dir, "pnl", "0000000001.journal")}`);
      expect(errors[0][0]).toContain("this handler's journal ends here (the handler runs on)");
      expect(errors[0][1]?.error).toMatch(/EEXIST|ENOTDIR|exists|not a directory/i);
      expect(readFileSync(join(tmp.dir, "pnl"), "utf8")).toBe("a file where the handler's folder should be");
    } finally {
      tmp.cleanup();
    }
  });
});

describe("journal roll and retain", () => {
  it("rolls past rollBytes and keeps only the newest retainFiles, still readable in order", () => {
    const tmp = tempDir();
    try {
      const journal = writer(tmp.dir, "pnl", { rollBytes: 4096, retainFiles: 3 });
      journal.start(1, {});
      for (let n = 1; n <= 400; n++) journal.event({ n, pad: "y".repeat(100) }, meta("in", n));
      journal.close();
      const files = readdirSync(join(tmp.dir, "pnl")).sort();
      expect(files.length).toBe(3);
      const numbers = files.map((name) => Number(name.slice(0, 10)));
      expect(numbers[0]).toBeGreaterThan(3);
      expect(numbers).toEqual([numbers[0], numbers[0] + 1, numbers[0] + 2]);
      for (const name of files.slice(0, -1)) expect(statSync(join(tmp.dir, "pnl", name)).size).toBeLessThan(4096 + 200);
      const sequences = collect(tmp.dir, "pnl").entries.flatMap((e) => e.kind === "event" ? [e.sequence] : []);
      expect(sequences.at(-1)).toBe(400);
      expect(sequences).toEqual([...Array(sequences.length).keys()].map((i) => 401 - sequences.length + i));
    } finally {
      tmp.cleanup();
    }
  });

  it("keeps every file with retainFiles 0", () => {
    const tmp = tempDir();
    try {
      const journal = writer(tmp.dir, "pnl", { rollBytes: 4096, retainFiles: 0 });
      journal.start(1, {});
      for (let n = 1; n <= 200; n++) journal.event({ n, pad: "y".repeat(100) }, meta("in", n));
      journal.close();
      expect(readdirSync(join(tmp.dir, "pnl")).length).toBeGreaterThan(4);
      expect(collect(tmp.dir, "pnl").entries.filter((e) => e.kind === "event").length).toBe(200);
    } finally {
      tmp.cleanup();
    }
  });
});
