/**
 * `npm run release` (`bun build.ts --release`), for the two platforms that run here: linux-x64 natively
 * and linux-arm64 under qemu-user (CI installs `qemu-user-static` and the arm64 libraries; without them the
 * arm64 run is skipped, saying so). The other four are only built, by `npm run release`.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FORWARDED_NEWS, FORWARDED_PRICES, copyFiveMinute, forwardedLines, fromFeed, runFiveMinute } from "../examples/five-minute.ts";
import { tempDir } from "../helpers.ts";
import { runProgram } from "../process.ts";
import { BUN } from "./runtimes.ts";

const BUILD = fileURLToPath(new URL("../../build.ts", import.meta.url));
const QEMU = "/usr/bin/qemu-aarch64-static";
const ARM64_LIBS = "/usr/aarch64-linux-gnu";
const EMULATED = existsSync(QEMU) && existsSync(join(ARM64_LIBS, "lib/libstdc++.so.6"));
const NATIVE = process.platform === "linux" && process.arch === "x64";
const VERSION = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")).version;

const release = tempDir("mongoose-release-");
const binary = (platform: string) => join(release.dir, `mongoose-${VERSION}-${platform}`);
const skipUnless = (condition: boolean, why: string) => condition ? it : (name: string, ..._skipped: unknown[]) => it(`${name} (skipped: ${why})`, () => {});

beforeAll(async () => {
  const { code, stderr } = await runProgram([BUN, BUILD, "--release", "--outdir", release.dir, "linux-x64", "linux-arm64"], { timeoutMs: 300_000 });
  if (code !== 0) throw new Error(`release failed: ${stderr}`);
}, { timeout: 300_000 });
afterAll(() => release.cleanup());

describe("release binaries (npm run release)", () => {
  it("names each binary by version and platform and lists its SHA-256 in SHA256SUMS", () => {
    expect(readdirSync(release.dir).sort()).toEqual(["SHA256SUMS", `mongoose-${VERSION}-linux-arm64`, `mongoose-${VERSION}-linux-x64`]);
    const sums = readFileSync(join(release.dir, "SHA256SUMS"), "utf8");
    const expected = ["linux-x64", "linux-arm64"].map((platform) => `${createHash("sha256").update(readFileSync(binary(platform))).digest("hex")}  mongoose-${VERSION}-${platform}\n`);
    expect(sums).toBe(expected.join(""));
  });

  skipUnless(NATIVE, "the host is not linux-x64")("runs on linux-x64 and names the version, runtime and target", async () => {
    const { code, stdout } = await runProgram([binary("linux-x64"), "--version"]);
    expect(stdout).toMatch(new RegExp(`^mongoose ${VERSION} \\(bun \\d+\\.\\d+\\.\\d+, linux-x64\\)\\n`));
    expect(code).toBe(0);
  });

  skipUnless(EMULATED, `no ${QEMU} or arm64 libraries (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)`)(
    "runs on linux-arm64 under qemu-user: --version, validate, and the five-minute file → .ts handler → file pipeline",
    async () => {
      const mongoose = [QEMU, "-L", ARM64_LIBS, binary("linux-arm64")];
      const version = await runProgram([...mongoose, "--version"], { timeoutMs: 60_000 });
      expect(version.stdout).toMatch(new RegExp(`^mongoose ${VERSION} \\(bun \\d+\\.\\d+\\.\\d+, linux-arm64\\)\\n`));
      const user = tempDir("mongoose-arm64-");
      try {
        copyFiveMinute(user.dir);
        const validate = await runProgram([...mongoose, "validate", user.path("app.yaml")], { timeoutMs: 60_000 });
        expect({ code: validate.code, stderr: validate.stderr }).toEqual({ code: 0, stderr: "" });
        const { code, stderr } = await runFiveMinute(mongoose, user.dir, 7, 120_000);
        expect(stderr).toContain("server running");
        expect(code).toBe(0);
        const lines = forwardedLines(user.dir);
        expect(fromFeed(lines, "prices")).toEqual(FORWARDED_PRICES);
        expect(fromFeed(lines, "news")).toEqual(FORWARDED_NEWS);
      } finally {
        user.cleanup();
      }
    },
    180_000,
  );

  it("rejects an unknown platform before building anything, naming the known ones", async () => {
    const outdir = tempDir("mongoose-release-bad-");
    try {
      const { code, stderr } = await runProgram([BUN, BUILD, "--release", "--outdir", outdir.path("out"), "linux-x64", "solaris-sparc"]);
      expect(stderr).toContain("unknown release platform solaris-sparc; known: linux-x64, linux-x64-musl, linux-arm64, darwin-x64, darwin-arm64, windows-x64");
      expect(code).toBe(1);
      expect(existsSync(outdir.path("out"))).toBe(false);
    } finally {
      outdir.cleanup();
    }
  });
});
