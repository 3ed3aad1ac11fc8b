/**
 * Instances of the scale-out example (config/examples/scale-out) for tests: each a `mongoose run` process
 * with its own INSTANCE name and admin port against one nats-server, and what they wrote.
 *
 * @example
 * ```ts
 * const example = copyScaleOutExample(temp.dir);
 * const a = await startInstance(example, "a", nats.url);
 * await publishOrders(nats.url, 1000);
 * await eventually(() => processedIds(example).size === 1000, "every order processed");
 * await a.stop();
 * ```
 */
import { expect } from "bun:test";
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../helpers.ts";
import { type Child, runProgram, runtimeCommand, start } from "../process.ts";
import { eventually } from "../helpers.ts";

const EXAMPLE = fileURLToPath(new URL("../../config/examples/scale-out/", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/**
 * Copies the example's files (not its data-out) into `dir`; returns the path of its app.yaml.
 *
 * @example
 * ```ts
 * const yaml = copyScaleOutExample(temp.dir); // …/app.yaml
 * ```
 */
export function copyScaleOutExample(dir: string): string {
  cpSync(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes("data-out") });
  return join(dir, "app.yaml");
}

/** One running instance. */
export interface Instance {
  readonly name: string;
  readonly adminPort: number;
  readonly child: Child;
  /** What it logged so far (stderr and stdout). */
  log(): string;
  /** The status of `GET /health/ready` (0 when the admin server does not answer). */
  readiness(): Promise<number>;
  /** The sum of a Prometheus metric's samples on `/metrics` (every label set), e.g. `mongoose_nats_redelivered_total`. */
  metric(name: string): Promise<number>;
  /** SIGTERM (unless it has exited), then its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (unless it has exited), then its exit code. */
  kill(): Promise<number | null>;
}

/** How to start an instance: `command` runs it (default: src/main.ts under the runtime running the tests; or the binary); `env` adds variables (e.g. WORK_MICROS). */
export interface InstanceOptions {
  command?: string[];
  env?: Record<string, string>;
}

/**
 * Starts `mongoose run app.yaml` with INSTANCE=`name`, NATS_URL=`natsUrl` and a free admin port.
 *
 * @example
 * ```ts
 * const a = await startInstance(yaml, "a", nats.url, { env: { WORK_MICROS: "1000" } });
 * console.log(await a.metric("mongoose_nats_redelivered_total"));
 * ```
 */
export async function startInstance(yaml: string, name: string, natsUrl: string, options: InstanceOptions = {}): Promise<Instance> {
  const adminPort = await freePort();
  const env = { ...options.env, INSTANCE: name, NATS_URL: natsUrl, MONGOOSE_ADMIN_PORT: String(adminPort) };
  const child = start([...(options.command ?? runtimeCommand(MAIN)), "run", yaml], env);
  let output = "";
  child.onStdout((text) => (output += text));
  child.onStderr((text) => (output += text));
  /** Deno throws on signalling a child that has exited (and it may exit between a check and the signal). */
  const signal = (send: () => void) => {
    try {
      send();
    } catch (error) {
      if (!/already terminated/.test(String(error))) throw error;
    }
  };
  const admin = (path: string) => fetch(`http://127.0.0.1:${adminPort}/${path}`, { signal: AbortSignal.timeout(5_000) });
  return {
    name,
    adminPort,
    child,
    log: () => output,
    readiness: async () => {
      try {
        const response = await admin("health/ready");
        await response.body?.cancel();
        return response.status;
      } catch {
        return 0;
      }
    },
    metric: async (metric) => {
      const text = await (await admin("metrics")).text();
      let sum = 0;
      for (const line of text.split("\n")) {
        if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
      }
      return sum;
    },
    stop: async () => {
      signal(() => child.interrupt("SIGTERM"));
      return await child.exitCode;
    },
    kill: async () => {
      signal(() => child.kill());
      return await child.exitCode;
    },
  };
}

/** One line of an instance's `data-out/processed-<instance>.jsonl`. */
export interface Processed {
  id: number;
  instance: string;
}

/**
 * Every complete line the instances wrote next to `yaml` (a line torn by a kill -9 is left out).
 *
 * @example
 * ```ts
 * const byA = processedLines(yaml).filter((line) => line.instance === "a").length;
 * ```
 */
export function processedLines(yaml: string): Processed[] {
  const dir = join(yaml, "..", "data-out");
  if (!existsSync(dir)) return [];
  const lines: Processed[] = [];
  for (const file of readdirSync(dir).filter((name) => name.startsWith("processed-"))) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (!line.endsWith("}")) continue;
      lines.push(JSON.parse(line) as Processed);
    }
  }
  return lines;
}

/**
 * The distinct order ids processed so far.
 *
 * @example
 * ```ts
 * await eventually(() => processedIds(yaml).size === 1000, "every order processed");
 * ```
 */
export const processedIds = (yaml: string): Set<number> => new Set(processedLines(yaml).map((line) => line.id));

/**
 * Runs the example's publish.ts: `count` orders with ids from `from`; throws unless it succeeds.
 *
 * @example
 * ```ts
 * await publishOrders(nats.url, 5000, 5000); // ids 5000…9999
 * ```
 */
export async function publishOrders(natsUrl: string, count: number, from = 0): Promise<void> {
  const { code, stdout, stderr } = await runProgram(runtimeCommand(join(EXAMPLE, "publish.ts"), ["--count", String(count), "--from", String(from), "--url", natsUrl]), { timeoutMs: 120_000 });
  if (code !== 0 || !stdout.includes(`published ${count} orders`)) throw new Error(`publish.ts failed (code ${code}):\n${stdout}${stderr}`);
}

/** Generous: two instances and a broker share a loaded 2-core machine. */
export const SCALE_OUT_DEADLINE_MS = 120_000;

/**
 * Waits until `/health/ready` answers 200 on every instance.
 *
 * @example
 * ```ts
 * await allReady([a, b]);
 * ```
 */
export async function allReady(instances: Instance[]): Promise<void> {
  for (const instance of instances) {
    await eventually(async () => (await instance.readiness()) === 200, `instance ${instance.name} ready\n${instance.log()}`, SCALE_OUT_DEADLINE_MS);
  }
}

/**
 * Two instances "a" and "b" of the example at `yaml`, `count` orders, no failure injected: once every
 * order is processed, checks that each was processed exactly once between them, both did a share and
 * nothing was redelivered, and that both stop cleanly (exit 0).
 *
 * @example
 * ```ts
 * await expectTwoInstancesSplitOrders(copyScaleOutExample(dir), nats.url, 3000, { command: ["./mongoose"] });
 * ```
 */
export async function expectTwoInstancesSplitOrders(yaml: string, natsUrl: string, count: number, options: InstanceOptions = {}): Promise<void> {
  const instances = [await startInstance(yaml, "a", natsUrl, options), await startInstance(yaml, "b", natsUrl, options)];
  try {
    await allReady(instances);
    await publishOrders(natsUrl, count);
    await eventually(() => processedIds(yaml).size === count, "every order processed", SCALE_OUT_DEADLINE_MS);
    let redelivered = 0;
    for (const instance of instances) redelivered += await instance.metric("mongoose_nats_redelivered_total");
    expect(redelivered).toBe(0);
    for (const instance of instances) expect(await instance.stop()).toBe(0);
  } finally {
    await Promise.all(instances.map((instance) => instance.kill()));
  }
  const lines = processedLines(yaml);
  expect(lines.map((line) => line.id).sort((x, y) => x - y)).toEqual(Array.from({ length: count }, (_, id) => id));
  for (const name of ["a", "b"]) expect(lines.filter((line) => line.instance === name).length).toBeGreaterThan(0);
}
