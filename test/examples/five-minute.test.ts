import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";
import { copyFiveMinute, FORWARDED_NEWS, FORWARDED_PRICES, forwardedLines, fromFeed, runFiveMinute } from "./five-minute.ts";

// Under Deno this runs `deno run -A src/main.ts run app.yaml`; under Bun, `bun src/main.ts run app.yaml`.
const mongoose = runtimeCommand(fileURLToPath(new URL("../../src/main.ts", import.meta.url)));

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-five-minute-")));
afterEach(() => temp.cleanup());

describe("config/examples/five-minute", () => {
  it("forwards the prices and news feeds named in the configMap to the file sink, and not orders", async () => {
    copyFiveMinute(temp.dir);
    const { code, stdout, stderr } = await runFiveMinute(mongoose, temp.dir, 7);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(`no handler subscribes to this feed: it stays idle and what is offered to it reaches no one agent=io-agent feed=orders`);
    const lines = forwardedLines(temp.dir);
    expect(fromFeed(lines, "prices")).toEqual(FORWARDED_PRICES);
    expect(fromFeed(lines, "news")).toEqual(FORWARDED_NEWS);
    expect(lines.length).toBe(7);
  });

  it("resumes after a restart with only new lines, and keeps unread feeds for a handler that subscribes later", async () => {
    copyFiveMinute(temp.dir);
    expect((await runFiveMinute(mongoose, temp.dir, 7)).code).toBe(0);
    appendFileSync(temp.path("data-in/prices.txt"), "TSLA 251.00\n");
    expect((await runFiveMinute(mongoose, temp.dir, 8)).code).toBe(0);
    expect(forwardedLines(temp.dir).slice(7)).toEqual(["prices: TSLA 251.00"]);

    const yaml = readFileSync(temp.path("app.yaml"), "utf8");
    writeFileSync(temp.path("app.yaml"), yaml.replace("acceptedFeedNames: [prices, news]", "acceptedFeedNames: [prices, news, orders]"));
    expect((await runFiveMinute(mongoose, temp.dir, 10)).code).toBe(0);
    expect(forwardedLines(temp.dir).slice(8)).toEqual(["orders: BUY 100 AAPL @ 189.30", "orders: SELL 50 MSFT @ 415.00"]);
  });

  it("reports the README's example mistake with its position and starts nothing", async () => {
    copyFiveMinute(temp.dir);
    const lines = readFileSync(temp.path("app.yaml"), "utf8").split("\n");
    lines.splice(lines.findIndex((line) => line.includes("filename: data-in/prices.txt")) + 1, 0, "    readStrategy: LATESTT");
    writeFileSync(temp.path("app.yaml"), lines.join("\n"));
    const { code, stderr } = await runProgram([...mongoose, "run", temp.path("app.yaml")]);
    expect(stderr).toBe(`invalid configuration:
  - app.yaml:7:19 eventFeeds[0].readStrategy: expected one of COMMITTED, COMMITED, EARLIEST, LATEST, ONCE_EARLIEST, ONCE_LATEST, got "LATESTT"
`);
    expect(code).toBe(2);
    expect(forwardedLines(temp.dir)).toEqual([]);
  });
});
