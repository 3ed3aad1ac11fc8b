/**
 * Handler modules that fail while the server boots, through the real CLI: a constructor that throws,
 * `start` that throws or rejects, a factory returning a non-object or an object without `onEvent`. Each
 * must end `mongoose run` with a clear boot error naming the handler, exit 1, and nothing started: no
 * line of the COMMITTED feed consumed (its read pointer did not move) and nothing written to the sink.
 * (Modules that throw at import or export no handler are refused by the configuration check with exit 2:
 * test/cli/config-errors.test.ts.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const folder = tempDir("mongoose-handler-failures-");
afterAll(() => folder.cleanup());

writeFileSync(folder.path("forward.ts"), `import type { HandlerContext } from "mongoose-server";
export default class Forward {
  private ctx!: HandlerContext;
  start(ctx: HandlerContext) { this.ctx = ctx; }
  onEvent(event: unknown) { this.ctx.sink("out").accept(event); }
}
`);

const CASES: { name: string; module: string; message: RegExp }[] = [
  {
    name: "a constructor that throws",
    module: `export default class Bad { constructor() { throw new Error("no licence key"); } onEvent() {} }\n`,
    message: /handler "bad" \(\.\/bad-0\.ts\) on agent "bad-agent" failed during load: .*no licence key/,
  },
  {
    name: "start that throws",
    module: `export default class Bad { start() { throw new RangeError("limit below zero"); } onEvent() {} }\n`,
    message: /handler "bad" \(\.\/bad-1\.ts\) on agent "bad-agent" failed during start: RangeError: limit below zero/,
  },
  {
    name: "start that rejects",
    module: `export default class Bad { async start() { await Promise.resolve(); throw new Error("database unreachable"); } onEvent() {} }\n`,
    message: /handler "bad" \(\.\/bad-2\.ts\) on agent "bad-agent" failed during start: Error: database unreachable/,
  },
  {
    name: "a factory returning a number",
    module: `export default function createBad() { return 42; }\n`,
    message: /handler "bad" \(\.\/bad-3\.ts\) on agent "bad-agent" failed during load: the export is not a handler: the value returned by factory createBad \(number\)/,
  },
  {
    name: "a factory returning an object without onEvent",
    module: `export default function createBad() { return { start() {} }; }\n`,
    message: /handler "bad" \(\.\/bad-4\.ts\) on agent "bad-agent" failed during load: the export is not a handler: the value returned by factory createBad \(object\) has no onEvent method/,
  },
];

describe("handler modules failing at boot", () => {
  CASES.forEach(({ name, module, message }, index) => {
    test(`${name}: boot error naming handler and module, exit 1, nothing read or written`, async () => {
      writeFileSync(folder.path(`bad-${index}.ts`), module);
      const input = folder.path(`in-${index}.txt`);
      writeFileSync(input, "one\ntwo\nthree\n");
      const output = folder.path(`out-${index}.txt`);
      writeFileSync(folder.path(`app-${index}.yaml`), `eventFeeds:
  - {name: in, type: file, filename: ${input}, readStrategy: COMMITTED, broadcast: true}
eventSinks:
  - {name: out, type: file, filename: ${output}}
eventHandlers:
  - agentName: good-agent
    eventHandlers:
      good: {handler: ./forward.ts}
  - agentName: bad-agent
    eventHandlers:
      bad: {handler: ./bad-${index}.ts}
admin: false
`);
      const result = await runProgram(runtimeCommand(MAIN, ["run", folder.path(`app-${index}.yaml`)]), { timeoutMs: 60_000 });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(message) });
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(output) ? statSync(output).size : 0).toBe(0);
      const pointer = `${input}.readPointer`;
      expect(existsSync(pointer) ? JSON.parse(readFileSync(pointer, "utf8")).offset : 0).toBe(0);
    }, 90_000);
  });
});
