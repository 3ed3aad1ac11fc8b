/**
 * Records a live run of app.yaml (journaled), replays its journal with `mongoose replay`, and compares
 * the two outputs byte for byte. Run it with `bun record-and-replay.ts` or `deno run -A record-and-replay.ts`
 * from anywhere; `MONGOOSE=/path/to/mongoose` runs the binary instead of this repository's source.
 * Exits 0 when the outputs are identical, 1 (printing the first differing line) when not.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";

const here = fileURLToPath(new URL(".", import.meta.url));
const source = fileURLToPath(new URL("../../../src/main.ts", import.meta.url));
const mongoose = process.env.MONGOOSE
  ? [process.env.MONGOOSE]
  : "Deno" in globalThis ? [process.execPath, "run", "-A", source] : [process.execPath, source];
const TRADES = readFileSync(`${here}data-in/trades.jsonl`, "utf8").trim().split("\n").length;

/** Starts `mongoose <args>` in this folder; resolves with its exit code. */
function mongooseRun(args: string[], started: (stop: () => void) => void = () => {}): Promise<number | null> {
  const child = spawn(mongoose[0], [...mongoose.slice(1), ...args], { cwd: here, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, MONGOOSE_ADMIN_PORT: "0" } });
  let interrupted = false;
  started(() => {
    interrupted = true;
    child.kill("SIGINT");
  });
  // Deno's node:child_process reports a child that handled SIGINT and exited 0 as ended by the signal (code null).
  return new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (interrupted && signal === "SIGINT" ? 0 : null))));
}

/** The live output is complete: every trade, its audit confirmation if picked, and the snapshot after the last. */
function liveComplete(): boolean {
  const path = `${here}data-out/live.jsonl`;
  if (!existsSync(path)) return false;
  const lines = readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const audits = lines.filter((line) => line.audit === true).length;
  return lines.filter((line) => line.trade).length === TRADES && lines.filter((line) => line.audited).length === audits && lines.some((line) => line.snapshot === TRADES);
}

rmSync(`${here}journal`, { recursive: true, force: true });
rmSync(`${here}data-out`, { recursive: true, force: true });

console.log("recording: mongoose run app.yaml");
const live = await mongooseRun(["run", "app.yaml", "--log-level", "warn"], (stop) => {
  const poll = setInterval(() => {
    if (!liveComplete()) return;
    clearInterval(poll);
    stop();
  }, 50);
});
if (live !== 0) throw new Error(`mongoose run exited ${live}`);

console.log("replaying: mongoose replay app.yaml --journal journal --sink out=file:data-out/replayed.jsonl");
const replayed = await mongooseRun(["replay", "app.yaml", "--journal", "journal", "--sink", "out=file:data-out/replayed.jsonl"]);
if (replayed !== 0) throw new Error(`mongoose replay exited ${replayed}`);

const recorded = readFileSync(`${here}data-out/live.jsonl`, "utf8").split("\n");
const again = readFileSync(`${here}data-out/replayed.jsonl`, "utf8").split("\n");
const first = recorded.findIndex((line, i) => line !== again[i]);
if (first < 0 && recorded.length === again.length) {
  console.log(`identical: ${recorded.length - 1} lines in data-out/live.jsonl and data-out/replayed.jsonl`);
} else {
  const at = first < 0 ? Math.min(recorded.length, again.length) : first;
  console.log(`different at line ${at + 1}:\n  live:     ${recorded[at] ?? "(end)"}\n  replayed: ${again[at] ?? "(end)"}`);
  process.exit(1);
}
