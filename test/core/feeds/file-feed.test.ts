import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import type { MongooseConfig, MongooseServer, ServerOptions } from "../../../src/mod.ts";
import { boot, eventually, sleep, tempDir } from "../../helpers.ts";

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-file-feed-")));
afterEach(() => temp.cleanup());

type Strategy = "COMMITTED" | "COMMITED" | "EARLIEST" | "LATEST" | "ONCE_EARLIEST" | "ONCE_LATEST";

function config(file: string, readStrategy: Strategy, extra: Record<string, unknown> = {}): MongooseConfig {
  return {
    eventFeeds: [{ name: "lines", type: "file", filename: file, readStrategy, broadcast: true, ...extra } as never],
    eventSinks: [{ name: "out", type: "memory" }],
    eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
  };
}

function start(file: string, readStrategy: Strategy, extra: Record<string, unknown> = {}, options: ServerOptions = {}): Promise<MongooseServer> {
  return boot(config(file, readStrategy, extra), options);
}

const received = (server: MongooseServer) => server.sink<string>("out").values();

describe("file feed", () => {
  for (const cacheEventLog of [false, true]) {
    const caching = cacheEventLog ? " (with pre-start caching)" : "";

    it(`EARLIEST reads what is there, then every line appended${caching}`, async () => {
      const file = temp.path("in.txt");
      writeFileSync(file, "one\ntwo\n");
      const server = await start(file, "EARLIEST", { cacheEventLog });
      try {
        await server.sink("out").waitFor(2);
        appendFileSync(file, "three\nfour\nfive\n");
        await server.sink("out").waitFor(5);
      } finally {
        await server.stop();
      }
      expect(received(server)).toEqual(["one", "two", "three", "four", "five"]);
      expect(existsSync(`${file}.readPointer`)).toBe(false);
    });

    it(`COMMITTED resumes after a restart with only the lines not yet consumed${caching}`, async () => {
      const file = temp.path("in.txt");
      writeFileSync(file, "a\nb\n");
      const first = await start(file, "COMMITTED", { cacheEventLog });
      await first.sink("out").waitFor(2);
      await first.stop();
      expect(received(first)).toEqual(["a", "b"]);
      expect(JSON.parse(readFileSync(`${file}.readPointer`, "utf8"))).toMatchObject({ offset: 4 });
      appendFileSync(file, "c\nd\n");
      const second = await start(file, "COMMITTED", { cacheEventLog });
      await second.sink("out").waitFor(2);
      await second.stop();
      expect(received(second)).toEqual(["c", "d"]);
      const third = await start(file, "COMMITED", { cacheEventLog }); // the original spelling works too
      await sleep(100);
      await third.stop();
      expect(received(third)).toEqual([]);
    });

    it(`LATEST skips what is there (and a line still being written) and delivers every line appended later${caching}`, async () => {
      const file = temp.path("in.txt");
      writeFileSync(file, "old-1\nold-2\npartial");
      const server = await start(file, "LATEST", { cacheEventLog });
      try {
        await sleep(100);
        appendFileSync(file, " line\nnew-1\nnew-2\nnew-3\n");
        await server.sink("out").waitFor(3);
      } finally {
        await server.stop();
      }
      expect(received(server)).toEqual(["new-1", "new-2", "new-3"]);
    });

    it(`ONCE_EARLIEST reads the content once, a final unterminated line included, and ignores later lines${caching}`, async () => {
      const file = temp.path("in.txt");
      writeFileSync(file, "x\ny\nlast without newline");
      const server = await start(file, "ONCE_EARLIEST", { cacheEventLog });
      try {
        await server.sink("out").waitFor(3);
        appendFileSync(file, "\nlater\n");
        await sleep(100);
      } finally {
        await server.stop();
      }
      expect(received(server)).toEqual(["x", "y", "last without newline"]);
    });

    it(`ONCE_LATEST delivers only the last line present at start, once${caching}`, async () => {
      const file = temp.path("in.txt");
      writeFileSync(file, "snapshot 1\nsnapshot 2\nsnapshot 3\n\n");
      const server = await start(file, "ONCE_LATEST", { cacheEventLog });
      try {
        await server.sink("out").waitFor(1);
        appendFileSync(file, "snapshot 4\n");
        await sleep(100);
      } finally {
        await server.stop();
      }
      expect(received(server)).toEqual(["snapshot 3"]);
    });
  }

  it("splits on \\n, \\r\\n and \\r, keeps multi-byte text whole, and holds a partial line until it is complete", async () => {
    const file = temp.path("in.txt");
    writeFileSync(file, "");
    const server = await start(file, "EARLIEST");
    try {
      appendFileSync(file, "crlf\r\nlf\ncr\rdone ✓ 日本\n");
      await server.sink("out").waitFor(4);
      appendFileSync(file, Buffer.from("par"));
      await sleep(100);
      expect(received(server).length).toBe(4);
      appendFileSync(file, Buffer.concat([Buffer.from("tial é"), Buffer.from("✓\n").subarray(0, 2)]));
      await sleep(50);
      appendFileSync(file, Buffer.from("✓\n").subarray(2));
      await server.sink("out").waitFor(5);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual(["crlf", "lf", "cr", "done ✓ 日本", "partial é✓"]);
  });

  it("carries a 10 MB line", async () => {
    const file = temp.path("in.txt");
    const long = "z".repeat(10 * 1024 * 1024);
    writeFileSync(file, `before\n${long}\nafter\n`);
    const server = await start(file, "EARLIEST");
    try {
      await server.sink("out").waitFor(3, 30_000);
    } finally {
      await server.stop();
    }
    const [before, line, after] = received(server);
    expect([before, after]).toEqual(["before", "after"]);
    expect(line.length).toBe(long.length);
    expect(line === long).toBe(true);
  });

  for (const cacheEventLog of [false, true]) {
    it(`leaves a feed nobody subscribes to unread, so a COMMITTED file keeps every line for a later subscriber${cacheEventLog ? " (with pre-start caching)" : ""}`, async () => {
      const file = temp.path("orders.txt");
      writeFileSync(file, "buy\nsell\n");
      const unsubscribed = { ...config(file, "COMMITTED", { broadcast: false, cacheEventLog }), eventHandlers: [] };
      const first = await boot(unsubscribed, { logLevel: "error" });
      await sleep(150);
      expect((await first.feedStatus()).find((s) => s.feed === "lines")).toMatchObject({ subscribers: 0, completed: false });
      await first.stop();
      expect(existsSync(`${file}.readPointer`) ? JSON.parse(readFileSync(`${file}.readPointer`, "utf8")).offset : 0).toBe(0);
      const second = await start(file, "COMMITTED", { cacheEventLog });
      await second.sink("out").waitFor(2);
      await second.stop();
      expect(received(second)).toEqual(["buy", "sell"]);
    });
  }

  it("waits for a missing file, reports it in the feed status, and reads it once it appears", async () => {
    const file = temp.path("later/in.txt");
    const server = await start(file, "EARLIEST");
    try {
      await sleep(150);
      expect(await server.feedStatus()).toContainEqual({ feed: "lines", agent: "io-agent", connected: false, detail: `waiting for ${file}`, completed: false, subscribers: 1 });
      mkdirSync(temp.path("later"));
      writeFileSync(file, "finally\n");
      await server.sink("out").waitFor(1);
      expect((await server.feedStatus()).find((s) => s.feed === "lines")?.connected).toBe(true);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual(["finally"]);
  });

  it("reads a rotated file and a truncated file from their start", async () => {
    const file = temp.path("in.txt");
    writeFileSync(file, "first-1\n");
    const server = await start(file, "COMMITTED", {}, { logLevel: "silent" });
    try {
      await server.sink("out").waitFor(1);
      renameSync(file, temp.path("in.txt.1"));
      writeFileSync(file, "second-1\nsecond-2\n");
      await server.sink("out").waitFor(3);
      truncateSync(file, 0);
      await sleep(400);
      appendFileSync(file, "third-1\n");
      await server.sink("out").waitFor(4);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual(["first-1", "second-1", "second-2", "third-1"]);
  });

  it("reports a file it cannot read with its path and keeps trying", async () => {
    const path = temp.path("a-directory");
    mkdirSync(path);
    const server = await start(path, "EARLIEST", {}, { logLevel: "silent" });
    try {
      await eventually(async () => (await server.feedStatus()).some((s) => s.detail?.startsWith(`cannot read ${path}`) ?? false), "the feed to report the unreadable file");
    } finally {
      await server.stop();
    }
  });

  it("sends lines that fail to parse to the dead-letter sink with their origin, and the rest flows", async () => {
    const file = temp.path("in.jsonl");
    writeFileSync(file, `{"id":1}\nnot json\n{"id":3}\n`);
    const server = await boot({
      eventFeeds: [{ name: "orders", type: "file", filename: file, readStrategy: "EARLIEST", valueMapper: "json", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }, { name: "rejects", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
      deadLetter: "rejects",
    });
    try {
      await server.sink("out").waitFor(2);
      await server.sink("rejects").waitFor(1);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual([{ id: 1 }, { id: 3 }]);
    expect(server.sink("rejects").values()).toEqual([{
      reason: "parse-error",
      feed: "orders",
      sequenceNumber: 2,
      line: 2,
      offset: 9,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      error: expect.stringMatching(/^ParseError: /),
      event: "not json",
    }]);
    expect(server.counter("dead_letter_total", { reason: "parse-error" })).toBe(1);
  });

  it("parses JSON lines on the subscribing agents: one dead letter per bad line however many subscribe, and null lines dropped", async () => {
    const file = temp.path("in.jsonl");
    writeFileSync(file, `{"id":1}\n{"id": oops}\nnull\n{"id":3}\n`);
    const server = await boot({
      eventFeeds: [{ name: "orders", type: "file", filename: file, readStrategy: "EARLIEST", valueMapper: "json", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }, { name: "rejects", type: "memory" }],
      eventHandlers: [
        { agentName: "left", eventHandlers: { forwardLeft: { handler: "./forwarder.ts" } } },
        { agentName: "right", eventHandlers: { forwardRight: { handler: "./forwarder.ts" } } },
      ],
      deadLetter: "rejects",
    });
    try {
      await server.sink("out").waitFor(4);
      await server.sink("rejects").waitFor(1);
      await sleep(100); // a second dead letter would have arrived by now
    } finally {
      await server.stop();
    }
    expect(received(server).map((value) => JSON.stringify(value)).sort()).toEqual(['{"id":1}', '{"id":1}', '{"id":3}', '{"id":3}']);
    const rejects = server.sink<Record<string, unknown>>("rejects").values();
    expect(rejects.map(({ reason, feed, line, offset, event }) => ({ reason, feed, line, offset, event }))).toEqual([
      { reason: "parse-error", feed: "orders", line: 2, offset: 9, event: '{"id": oops}' },
    ]);
    expect(server.counter("dead_letter_total", { reason: "parse-error" })).toBe(1);
    expect(server.counter("feed_mapper_dropped_total", { feed: "orders" })).toBe(1);
  });

  it("carries JSON lines as bytes through a ring that is always full: lines longer than a read block, characters split across blocks, CRLF, a bad line with its place, a last line without terminator", async () => {
    // The feed reads 64 KiB blocks and publishes byte ranges of them; a 4 KiB ring refuses most lines, so
    // held lines (from the block, or assembled from several blocks) are published later, and long ones
    // travel as fragmented records.
    const file = temp.path("in.jsonl");
    const block = 64 * 1024;
    const values: unknown[] = [];
    const lines: string[] = [];
    const add = (value: unknown) => {
      values.push(value);
      lines.push(JSON.stringify(value));
    };
    for (let i = 0; i < 400; i++) add({ id: i, text: "é✓𝄞".repeat(i % 7) + "x".repeat((i * 997) % 3000) });
    add({ id: "long", text: "日本語".repeat(40_000) }); // 360 KB of three-byte characters: spans several blocks
    for (let i = 400; i < 800; i++) add({ id: i, text: "𝄞".repeat(i % 5) + "y".repeat((i * 613) % 2000) });
    const prefix = lines.slice(0, 600).join("\n") + "\r\n" + lines.slice(600).join("\n") + "\n";
    // The next line's four-byte character starts one byte before a block ends (split 1+3 across reads).
    const opening = '{"id":"edge","text":"';
    const at = Buffer.byteLength(prefix) + opening.length;
    const edge = { id: "edge", text: "a".repeat((((block - 1 - at) % block) + block) % block) + "𝄞" };
    expect((at + edge.text.length - 2) % block).toBe(block - 1);
    const beforeBad = prefix + JSON.stringify(edge) + "\n";
    writeFileSync(file, beforeBad + "{not json}\n" + JSON.stringify({ id: "last" }));
    const server = await boot({
      ...config(file, "ONCE_EARLIEST", { valueMapper: "json", ringCapacity: 4096 }),
      eventSinks: [{ name: "out", type: "memory" }, { name: "rejects", type: "memory" }],
      deadLetter: "rejects",
    });
    try {
      await server.sink("out").waitFor(values.length + 2, 30_000);
      await server.sink("rejects").waitFor(1);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual([...values, edge, { id: "last" }] as never);
    const rejects = server.sink<Record<string, unknown>>("rejects").values();
    expect(rejects.map(({ reason, line, offset, event }) => ({ reason, line, offset, event }))).toEqual([
      { reason: "parse-error", line: values.length + 2, offset: Buffer.byteLength(beforeBad), event: "{not json}" },
    ]);
  });

  it("drops lines its mapper maps to null, counting them", async () => {
    const file = temp.path("in.txt");
    writeFileSync(file, "keep 1\nskip\nkeep 2\n");
    const server = await start(file, "EARLIEST", { valueMapper: "./skip-mapper.ts" });
    try {
      await server.sink("out").waitFor(2);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual(["KEEP 1", "KEEP 2"]);
    expect(server.counter("feed_mapper_dropped_total", { feed: "lines" })).toBe(1);
  });

  it("holds lines beyond its pre-start cache limit until the server has started, losing none", async () => {
    const file = temp.path("in.txt");
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n") + "\n");
    const server = await start(file, "EARLIEST", { cacheEventLog: true, cacheLimit: 5 }, { logLevel: "silent" });
    try {
      await server.sink("out").waitFor(50);
    } finally {
      await server.stop();
    }
    expect(received(server)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
  });
});
