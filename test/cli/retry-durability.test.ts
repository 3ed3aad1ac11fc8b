/**
 * A retrying event is not lost to kill -9, through the real command line (`mongoose run app.yaml`): while a
 * handler keeps a failed event for a retry, its agent acknowledges nothing, so a COMMITTED file feed's read
 * pointer stays before that line however far the agent reads on, and a restart delivers it again.
 */
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, tempDir } from "../helpers.ts";
import { committedPipelineYaml } from "../committed-pipeline.ts";
import { runServer } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-retry-durability-")));
afterEach(() => temp.cleanup());

const id = (i: number) => String(i).padStart(6, "0");
const inputLines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `in-${id(from + k)}\n`).join("");
/** Every input line is `in-NNNNNN\n`. */
const LINE_BYTES = 10;
const POISON = 50;

/**
 * `in.txt` (COMMITTED) → on agent "processor": `transform` (with `retry`, failing `in-000050` on its first
 * call ever: it records each call of that id in `poison-attempts.txt` and throws if the file was new) into
 * sink `out.txt`, and `witness`, which writes every line into `seen.txt` (it shows how far the agent read).
 */
function writeApp(ordered: boolean): string {
  writeFileSync(
    temp.path("handlers.ts"),
    [
      `import { appendFileSync, existsSync } from "node:fs";`,
      `import type { HandlerContext, Sink } from "mongoose-server";`,
      `export class Transform {`,
      `  private out!: Sink<string>;`,
      `  private attempts = "";`,
      `  start(ctx: HandlerContext) { this.out = ctx.sink("out"); this.attempts = ctx.config.attempts as string; }`,
      `  onEvent(line: string) {`,
      `    if (line === "in-${id(POISON)}") {`,
      `      const first = !existsSync(this.attempts);`,
      `      appendFileSync(this.attempts, "call\\n");`,
      `      if (first) throw new Error("poison line, first call");`,
      `    }`,
      `    this.out.accept("out-" + line.slice(3));`,
      `  }`,
      `}`,
      `export class Witness {`,
      `  private seen!: Sink<string>;`,
      `  start(ctx: HandlerContext) { this.seen = ctx.sink("seen"); }`,
      `  onEvent(line: string) { this.seen.accept(line); }`,
      `}`,
      ``,
    ].join("\n"),
  );
  const yaml = temp.path("app.yaml");
  writeFileSync(yaml, committedPipelineYaml({
    agent: "processor",
    sinks: ["out", "seen"],
    handlers: [
      "transform:",
      "  handler: ./handlers.ts#Transform",
      `  configMap: {attempts: ${JSON.stringify(temp.path("poison-attempts.txt"))}}`,
      // The retry is not due before the kill: only a restart can deliver the poison line again.
      `  retry: {attempts: 5, backoffMs: 60000, maxBackoffMs: 60000, ordered: ${ordered}}`,
      "witness: {handler: ./handlers.ts#Witness}",
    ],
  }));
  return yaml;
}

const linesOf = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "") : []);
const pointerOffset = () => {
  const path = temp.path("in.txt.readPointer");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { offset: number }).offset : -1;
};

describe("a retrying event and kill -9 (COMMITTED file feed)", () => {
  for (const ordered of [true, false]) {
    it(`ordered: ${ordered}: the read pointer stays before the line waiting for its retry while the agent reads on; after kill -9 a restart delivers it`, async () => {
      const yaml = writeApp(ordered);
      const input = temp.path("in.txt");
      writeFileSync(input, inputLines(0, POISON));
      const poisonOffset = POISON * LINE_BYTES;

      const first = runServer(MAIN, yaml);
      // The lines before the poison line are handled, written and committed: the pointer is saved at it.
      await eventually(() => pointerOffset() === poisonOffset, `the pointer at the poison line's offset ${poisonOffset}; log:\n${first.log()}`, 60_000);
      appendFileSync(input, inputLines(POISON, 100));
      await eventually(() => existsSync(temp.path("poison-attempts.txt")) && linesOf(temp.path("seen.txt")).length === 100, `the poison line's first call and the agent reading every line; log:\n${first.log()}`, 60_000);
      // Two more lines, one after the other: once the second is seen, the feed has committed (and saved)
      // whatever the agent acknowledged for the lines before, so a pointer that wrongly passed the poison
      // line would be on disk by now.
      for (const tick of [100, 101]) {
        appendFileSync(input, inputLines(tick, tick + 1));
        await eventually(() => linesOf(temp.path("seen.txt")).length === tick + 1, `the witness to see line ${tick}; log:\n${first.log()}`, 60_000);
      }
      expect(pointerOffset()).toBe(poisonOffset);
      expect(linesOf(temp.path("poison-attempts.txt")).length).toBe(1);
      expect(linesOf(temp.path("out.txt"))).not.toContain(`out-${id(POISON)}`);
      first.child.kill();
      await first.child.exitCode;

      const second = runServer(MAIN, yaml);
      const outputs = () => new Set(linesOf(temp.path("out.txt")));
      await eventually(() => outputs().size === 102, `every line's output after the restart; log:\n${second.log()}`, 60_000);
      second.child.interrupt("SIGTERM");
      expect(await second.child.exitCode).toBe(0);

      const out = linesOf(temp.path("out.txt"));
      expect(out).toContain(`out-${id(POISON)}`); // lost if the pointer had moved past it
      expect(new Set(out)).toEqual(new Set(Array.from({ length: 102 }, (_, i) => `out-${id(i)}`)));
      expect(linesOf(temp.path("poison-attempts.txt")).length).toBe(2); // delivered again, and handled, by the restart
      expect(second.log()).not.toContain("ERROR");
      // A graceful stop commits everything.
      expect(pointerOffset()).toBe(statSync(input).size);
    }, 180_000);
  }
});
