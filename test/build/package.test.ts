/**
 * The npm package as a user gets it: `npm pack` (which builds lib/ through `prepack`), `npm install` of the
 * tarball into an empty project, then the README's embedding program (a worker agent running a `.ts`
 * handler from the user's folder) on Bun and on Deno.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";
import { runProgram } from "../process.ts";
import { BUN, DENO } from "./runtimes.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const packed = tempDir("mongoose-pack-");
const project = tempDir("mongoose-embed-");
/** A program outside the repository, without package.json or deno.json, importing the checkout's lib/ by path. */
const byPath = tempDir("mongoose-by-path-");
let packedFiles: string[] = [];

/** The README's embedding program, importing the library from `specifier`. */
const main = (specifier: string) => `import { MongooseServer } from "${specifier}";

const server = await MongooseServer.boot({
  eventFeeds: [{ name: "prices", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{
    agentName: "processor",
    idleStrategy: "busySpin",
    eventHandlers: { doubler: { handler: "./doubler.ts", configMap: { factor: 2 } } },
  }],
});

server.offer("prices", 21);
console.log(await server.sink("out").waitFor(1));
await server.stop();
`;

const DOUBLER = `import type { EventMeta, HandlerContext, Sink } from "mongoose-server";

export default class Doubler {
  private out!: Sink<number>;
  private factor = 1;
  start(ctx: HandlerContext) {
    this.factor = ctx.config.factor as number;
    this.out = ctx.sink("out");
  }
  onEvent(event: unknown, _meta: EventMeta) {
    this.out.accept((event as number) * this.factor);
  }
}
`;

async function npm(args: string[], cwd: string): Promise<string> {
  const { code, stdout, stderr } = await runProgram(["npm", ...args, "--no-audit", "--no-fund"], { cwd, timeoutMs: 180_000 });
  if (code !== 0) throw new Error(`npm ${args.join(" ")} failed (${code}): ${stderr}`);
  return stdout;
}

beforeAll(async () => {
  const stdout = await npm(["pack", "--json", "--pack-destination", packed.dir], ROOT);
  // prepack's build output precedes npm's JSON report on stdout.
  const [report] = JSON.parse(stdout.slice(stdout.search(/^\[/m)));
  packedFiles = report.files.map((file: { path: string }) => file.path);
  writeFileSync(project.path("package.json"), JSON.stringify({ name: "embedding-user", private: true, type: "module" }));
  await npm(["install", "--prefer-offline", join(packed.dir, report.filename)], project.dir);
  writeFileSync(project.path("main.ts"), main("mongoose-server"));
  writeFileSync(project.path("doubler.ts"), DOUBLER);
}, { timeout: 400_000 });
afterAll(() => {
  packed.cleanup();
  project.cleanup();
  byPath.cleanup();
});

describe("the npm package (npm pack, npm install of the tarball)", () => {
  it("ships the JavaScript, its declarations and the worker entry, and no TypeScript sources", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "lib/mod.js", "lib/mod.d.ts", "lib/workers/agent.js"]));
    expect(packedFiles.filter((file) => !file.startsWith("lib/") && !["package.json", "README.md", "LICENSE"].includes(file))).toEqual([]);
    expect(packedFiles.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
  });

  it("embeds on Bun: a worker agent runs a .ts handler from the user's folder", async () => {
    const { code, stdout, stderr } = await runProgram([BUN, "main.ts"], { cwd: project.dir, timeoutMs: 60_000 });
    expect({ code, stdout, stderr: stderr.includes("error") ? stderr : "" }).toEqual({ code: 0, stdout: "[ 42 ]\n", stderr: "" });
  });

  it("embeds on Deno: a worker agent runs a .ts handler from the user's folder", async () => {
    const { code, stdout, stderr } = await runProgram([DENO, "run", "-A", "main.ts"], { cwd: project.dir, timeoutMs: 60_000 });
    expect({ code, stdout, stderr: stderr.includes("error") ? stderr : "" }).toEqual({ code: 0, stdout: "[ 42 ]\n", stderr: "" });
  });

  it("types the user's program and handler through its declarations (deno check), and rejects a wrong call", async () => {
    const good = await runProgram([DENO, "check", "main.ts", "doubler.ts"], { cwd: project.dir, timeoutMs: 120_000 });
    expect({ code: good.code, stderr: good.code === 0 ? "" : good.stderr }).toEqual({ code: 0, stderr: "" });
    writeFileSync(project.path("wrong.ts"), `import { MongooseServer } from "mongoose-server";\nawait MongooseServer.boot({ eventFeeds: 42 });\n`);
    const wrong = await runProgram([DENO, "check", "wrong.ts"], { cwd: project.dir, timeoutMs: 120_000, env: { NO_COLOR: "1" } });
    expect(wrong.stderr).toContain("Type 'number' is not assignable");
    expect(wrong.stderr).toContain("wrong.ts:2:29");
    expect(wrong.code).not.toBe(0);
  }, 240_000);

  it("embeds by path from a checkout's built lib/ (no config of the checkout's): Bun as is, Deno with --node-modules-dir=manual", async () => {
    writeFileSync(byPath.path("main.ts"), main(join(ROOT, "lib/mod.js")));
    writeFileSync(byPath.path("doubler.ts"), DOUBLER.replace("mongoose-server", join(ROOT, "lib/mod.js")));
    for (const command of [[BUN, "main.ts"], [DENO, "run", "-A", "--node-modules-dir=manual", "main.ts"]]) {
      const { code, stdout, stderr } = await runProgram(command, { cwd: byPath.dir, timeoutMs: 60_000 });
      expect({ command: command.join(" "), code, stdout, stderr: code === 0 ? "" : stderr }).toEqual({ command: command.join(" "), code: 0, stdout: "[ 42 ]\n", stderr: "" });
    }
  });
});
