import { existsSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { HandlerContext } from "../src/mod.ts";

/**
 * For bench/agent-restart.ts: the event `{ exit: n }` ends this worker thread (process.exit) after writing
 * `n` and the time into `config.record`; an exit it already made (the event delivered again to the
 * restarted agent) is skipped.
 */
export default class ExitOnCommand {
  private record = "";
  init(ctx: HandlerContext) {
    this.record = ctx.config.record as string;
    ctx.subscribe("in");
  }
  onEvent(event: { exit: number }) {
    const last = existsSync(this.record) ? Number(readFileSync(this.record, "utf8").split(" ")[0]) : 0;
    if (event.exit <= last) return;
    writeFileSync(this.record, `${event.exit} ${Date.now()}`);
    process.exit(1);
  }
}
