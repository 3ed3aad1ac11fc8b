import { describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { MongooseServer } from "../../src/mod.ts";
import { eventually, FIXTURES, tempDir } from "../helpers.ts";
import { readLines, replayCli } from "./recorded-run.ts";

describe("mongoose replay of sink values", () => {
  it("writes what live wrote when a handler reuses one fixed-layout event for every value it accepts", async () => {
    const temp = tempDir("mongoose-replay-values-");
    try {
      writeFileSync(temp.path("app.yaml"), [
        "admin: false",
        "journal: {dir: journal}",
        "eventTypes: {Tick: {id: i32, px: f64, sym: ascii(8)}}",
        "eventFeeds: [{name: numbers, type: memory}]",
        "eventSinks: [{name: out, type: file, filename: out.jsonl, valueMapper: json}]",
        `eventHandlers: [{agentName: processor, eventHandlers: {ticks: {handler: ${FIXTURES}tick-writer.ts, configMap: {subscribe: [numbers], pipe: out, type: Tick}}}}]`,
        "",
      ].join("\n"));
      const server = await MongooseServer.bootYamlFile(temp.path("app.yaml"), { logLevel: "error" });
      try {
        for (let n = 1; n <= 50; n++) server.offer("numbers", n);
        await eventually(() => readLines(temp.path("out.jsonl")).length === 50, "the live output", 30_000);
      } finally {
        await server.stop();
      }
      expect(readLines(temp.path("out.jsonl"))[49]).toEqual({ id: 50, px: 75, sym: "T50" } as never);
      const { code, stderr } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("replayed.jsonl")}`]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(readFileSync(temp.path("replayed.jsonl"), "utf8")).toBe(readFileSync(temp.path("out.jsonl"), "utf8"));
    } finally {
      temp.cleanup();
    }
  }, 60_000);
});
