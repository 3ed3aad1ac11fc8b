/**
 * Bad configuration tried deliberately: the repository's valid YAML files are mutated thousands of times
 * (keys deleted, duplicated, retyped; random bytes; huge values; 10,000-level nesting; alias bombs) and
 * each mutant goes through what `mongoose validate` runs. Every one must end valid or with a
 * ConfigError (exit 2 with a message from the CLI), never another exception, a stack trace or a hang.
 *
 * The seed is printed; `MONGOOSE_FUZZ_SEED=<n>` replays a run, `MONGOOSE_FUZZ_ITERATIONS=<n>` sizes it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { isCollection, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { validate } from "../../src/cli/validate.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { parseYamlConfig } from "../../src/config/yaml-loader.ts";
import { seededRandom, tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = resolve(ROOT, "src/main.ts");
const SEED = Number(process.env.MONGOOSE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ITERATIONS = Number(process.env.MONGOOSE_FUZZ_ITERATIONS ?? 1000);
const CLI_SAMPLE = 24;
console.log(`config fuzz: seed ${SEED} (replay with MONGOOSE_FUZZ_SEED=${SEED})`);

/** A configuration using most keys, modules from the examples. */
const WIDE = `idleStrategy: {type: backoff, spinNanos: 1000, yieldNanos: 2000, minParkNanos: 1000, maxParkNanos: 500000}
x-file: &file {type: file, readStrategy: ONCE_EARLIEST, pollMillis: 5}
agentThreads:
  - {agentName: pricing, idleStrategy: busySpin, coreId: 1, batchSize: 64, maxHeapMb: 64}
eventFeeds:
  - {<<: *file, name: prices, filename: data/prices.csv, valueMapper: json, broadcast: true, cacheEventLog: true, cacheLimit: 500}
  - {name: orders, type: memory, eventType: Order}
  - {name: beat, type: interval, periodMs: 250, agentName: timer, idleStrategy: blocking}
  - {name: walk, type: module, module: ./config/examples/plugins/price-walk-feed.ts, config: {symbols: [AAPL], count: 3}}
eventSinks:
  - {name: audit, type: memory}
  - {name: out, type: file, filename: out/x.log, fsync: true, valueMapper: string}
  - {name: both, type: fanout, targets: [audit, out], failurePolicy: RETRY_THEN_DROP, retryAttempts: 2, circuitOpenThreshold: 5}
  - {name: csv, type: module, module: ./config/examples/plugins/csv-sink.ts, agentName: writer, config: {path: out/a.csv}}
eventHandlers:
  - agentName: pricing
    eventHandlers:
      filter: {handler: ./config/examples/five-minute/filter.ts, configMap: {acceptedFeedNames: [prices]}, logLevel: debug}
pipes:
  - {name: signals, sinkName: signals-in, broadcast: false, valueMapper: json}
eventTypes:
  Order: {px: f64, qty: i32, sym: ascii(8)}
deadLetter: audit
latency: {enabled: true, sampleEvery: 16}
admin: {host: 127.0.0.1, port: 0, token: secret, protectReads: true, readiness: {maxBacklog: "50%"}}
`;

/** Every valid YAML configuration of the repository, module paths made absolute so a copy validates anywhere. */
function seeds(): { name: string; text: string }[] {
  const files = ["config/demo.yaml", ...["five-minute", "publishing-service", "config-injection", "re-entrant"].map((name) => `config/examples/${name}/app.yaml`)];
  const absolute = (text: string, dir: string) => text.replace(/^(\s*(?:-\s+)?(?:handler|module|valueMapper):\s+)(\.\.?\/\S+)/gm, (_, key, path) => key + resolve(dir, path));
  return [
    ...files.map((file) => ({ name: file, text: absolute(readFileSync(resolve(ROOT, file), "utf8"), dirname(resolve(ROOT, file))) })),
    { name: "wide", text: WIDE.replaceAll("./config/", `${ROOT}config/`) },
  ];
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const HUGE_VALUES: unknown[] = [Number.MAX_VALUE, -1e308, 2 ** 53 + 2, 5e-324, Infinity, -Infinity, NaN, "x".repeat(1 << 18), -1, 0, 1.5];
const ODD_VALUES: unknown[] = [null, true, "", "some text", 42, [], {}, [1, "two", null], { unexpected: { nested: [1] } }, "${UNSET_FUZZ_VARIABLE}", "../../../../etc/passwd", "./missing.ts#Nope"];

const deepNesting = (random: Random) => {
  const depth = 10_000;
  return pick(random, ["[".repeat(depth) + "]".repeat(depth), "{a: ".repeat(depth) + "1" + "}".repeat(depth), Array.from({ length: 200 }, (_, i) => `\n${" ".repeat(i * 60 + 2)}k${i}:`).join("") + " 1"]);
};
const ALIAS_BOMB = ["a", "b", "c", "d", "e", "f", "g", "h", "i"].map((name, level, names) =>
  `x-${name}: &${name} [${Array(10).fill(level === 0 ? '"lol"' : `*${names[level - 1]}`).join(", ")}]`).join("\n");

/** Every path to a node of the document: keys of maps, indexes of lists. */
function paths(node: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (!isCollection(node)) return [];
  const found: (string | number)[][] = [];
  node.items.forEach((item, index) => {
    const key = isMap(node) && isScalar((item as { key?: unknown }).key) ? String(((item as { key: { value: unknown } }).key).value) : index;
    const path = [...prefix, key];
    found.push(path, ...paths(isSeq(node) ? item : (item as { value?: unknown }).value, path));
  });
  return found;
}

/**
 * One mutation of `text`; returns the new text and what was done (for the failure report). `last`: no
 * further mutation may parse the result (the `yaml` package itself takes minutes over deep nesting).
 */
function mutate(text: string, random: Random): { text: string; what: string; last?: boolean } {
  const document = parseDocument(text, { merge: true });
  const all = paths(document.contents);
  const path = all.length > 0 ? pick(random, all) : ["eventFeeds"];
  const lines = text.split("\n");
  const line = Math.floor(random() * lines.length);
  switch (Math.floor(random() * 9)) {
    case 0:
      document.deleteIn(path);
      return { text: document.toString(), what: `delete ${path.join(".")}` };
    case 1: {
      const value = pick(random, ODD_VALUES);
      document.setIn(path, value);
      return { text: document.toString(), what: `retype ${path.join(".")} to ${JSON.stringify(value)}` };
    }
    case 2: {
      const value = pick(random, HUGE_VALUES);
      document.setIn(path, value);
      return { text: document.toString(), what: `huge ${path.join(".")} = ${String(value).slice(0, 20)}` };
    }
    case 3:
      lines.splice(line, 0, lines[line]);
      return { text: lines.join("\n"), what: `duplicate line ${line + 1}` };
    case 4: {
      const parent = document.getIn(path.slice(0, -1), true);
      if (isSeq(parent) && parent.items.length > 0) parent.items.push(parent.items[0]);
      return { text: document.toString(), what: `duplicate an entry of ${path.slice(0, -1).join(".")}` };
    }
    case 5: {
      const at = Math.floor(random() * (text.length + 1));
      const bytes = Array.from({ length: 1 + Math.floor(random() * 16) }, () => String.fromCharCode(Math.floor(random() * 256))).join("");
      return { text: text.slice(0, at) + bytes + text.slice(at + (random() < 0.5 ? bytes.length : 0)), what: `random bytes at ${at}` };
    }
    case 6:
      lines[line] = lines[line].replace(/:\s.*$/, `: ${deepNesting(random)}`);
      return { text: lines.join("\n"), what: `deep nesting on line ${line + 1}`, last: true };
    case 7:
      return random() < 0.5
        ? { text: `${ALIAS_BOMB}\n${text}`, what: "alias bomb under x- keys", last: true }
        : { text: `${ALIAS_BOMB}\nconfigMapBomb: *i\n${text}`, what: "alias bomb used by a key", last: true };
    default: {
      const at = Math.floor(random() * text.length);
      return { text: text.slice(0, at), what: `truncated at ${at}` };
    }
  }
}

/** Applies one to three mutations to a seed. */
function mutant(random: Random, all: { name: string; text: string }[]): { name: string; text: string; what: string } {
  const seed = pick(random, all);
  let text = seed.text;
  const done: string[] = [];
  for (let count = 1 + Math.floor(random() * 3); count > 0; count--) {
    try {
      const next = mutate(text, random);
      text = next.text;
      done.push(next.what);
      if (next.last) break;
    } catch {
      break; // the text is too broken for the document-level mutations: keep what we have
    }
  }
  return { name: seed.name, text, what: done.join("; ") };
}

const folder = tempDir("mongoose-config-fuzz-");
afterAll(() => folder.cleanup());

describe("configuration fuzzing", () => {
  test("the seeds are valid", async () => {
    for (const seed of seeds()) {
      expect(await validate(parseYamlConfig(seed.text, seed.name, folder.dir, {}), false)).toContain("valid");
    }
  });

  test(`${ITERATIONS} mutants through validate: each valid or a ConfigError, nothing else`, async () => {
    const random = seededRandom(SEED);
    const all = seeds();
    const failures: string[] = [];
    let invalid = 0;
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const { name, text, what } = mutant(random, all);
      try {
        await validate(parseYamlConfig(text, "fuzz.yaml", folder.dir, {}), false);
      } catch (error) {
        if (error instanceof ConfigError && error.problems.length > 0 && error.problems.every((problem) => problem.trim() !== "")) {
          invalid++;
          continue;
        }
        failures.push(`seed ${SEED} iteration ${iteration} (${name}: ${what}): ${(error as Error)?.stack ?? error}`);
      }
    }
    expect(failures).toEqual([]);
    expect(invalid).toBeGreaterThan(ITERATIONS / 2); // the mutations do break configurations
  });

  test(`${CLI_SAMPLE} mutants through mongoose validate: exit 0 or 2, a message and never a stack trace`, async () => {
    const random = seededRandom(SEED ^ 0x5eed);
    const all = seeds();
    const failures: string[] = [];
    for (let iteration = 0; iteration < CLI_SAMPLE; iteration++) {
      const { name, text, what } = mutant(random, all);
      const file = folder.path(`mutant-${iteration}.yaml`);
      // Written as latin1 so the random bytes reach the file as raw bytes (invalid UTF-8 among them).
      writeFileSync(file, Buffer.from(text, "latin1"));
      const result = await runProgram(runtimeCommand(MAIN, ["validate", file]), { timeoutMs: 60_000 });
      const ok = (result.code === 0 && result.stdout.includes("valid")) ||
        (result.code === 2 && result.stderr.startsWith("invalid configuration:") && !/\n\s+at /.test(result.stderr));
      if (!ok) failures.push(`seed ${SEED} mutant ${iteration} (${name}: ${what}): exit ${result.code}\n${result.stderr.slice(0, 2000)}`);
    }
    expect(failures).toEqual([]);
  });
});
