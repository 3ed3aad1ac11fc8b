import { describe, expect, it } from "bun:test";
import { runProgram, runtimeCommand } from "../process.ts";

const PROGRAM = new URL("../fixtures/keep-alive-program.ts", import.meta.url).pathname;
const lines = (stdout: string) => stdout.trim().split("\n");

describe("a running server and its process", () => {
  for (const mode of ["inline", "worker"]) {
    it(`holds the process open until stop(), then lets it end by itself (${mode} agents)`, async () => {
      // SIGINT goes out only once "alive" was printed, well after the event was handled: the process was
      // still running with nothing of its own pending but the server.
      const { code, stdout, stderr } = await runProgram(runtimeCommand(PROGRAM, [mode]), { interruptAfter: "alive", timeoutMs: 60_000 });
      const [handled, alive, stopped, ...rest] = lines(stdout);
      expect({ code, stderr, handled, alive, rest }).toEqual({ code: 0, stderr: "", handled: 'handled ["event"]', alive: "alive", rest: [] });
      expect(stopped?.slice(0, "stopped ".length)).toBe("stopped ");
      expect(JSON.parse(stopped.slice("stopped ".length))).toMatchObject({ clean: true, problems: [], undeliveredEvents: 0 });
    });
  }

  it("with keepAlive: false, lets the process end once the program has nothing left to do, while the server runs (inline agents)", async () => {
    const { code, stdout, stderr } = await runProgram(runtimeCommand(PROGRAM, ["inline", "--no-keep-alive"]), { timeoutMs: 60_000 });
    expect({ code, stderr, lines: lines(stdout) }).toEqual({ code: 0, stderr: "", lines: ['handled ["event"]'] });
  });
});
