/**
 * A custom sink: writes objects as CSV rows (the columns named in its config) to a file, with a header
 * row, buffering rows until its agent goes idle.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { PluginManifest, SinkContext, SinkPlugin } from "mongoose-server";

/** What this plugin declares: `/api/topology` shows it, and an engine with another plugin API major refuses it. */
export const mongoosePlugin: PluginManifest = { name: "csv-sink", version: "1.0.0", pluginApi: "1" };

export default class CsvSink implements SinkPlugin {
  private columns: string[] = [];
  private filename = "";
  private fd = -1;
  private rows: string[] = [];

  init(ctx: SinkContext): void {
    this.columns = ctx.config.columns as string[];
    this.filename = ctx.config.filename as string;
  }

  start(): void {
    mkdirSync(dirname(this.filename), { recursive: true });
    this.fd = openSync(this.filename, "w");
    writeSync(this.fd, this.columns.join(",") + "\n");
  }

  accept(value: unknown): void {
    const row = value as Record<string, unknown>;
    this.rows.push(this.columns.map((column) => JSON.stringify(row[column] ?? "")).join(","));
  }

  flush(): void {
    if (this.rows.length === 0) return;
    writeSync(this.fd, this.rows.join("\n") + "\n");
    this.rows = [];
  }

  tearDown(): void {
    if (this.fd >= 0) closeSync(this.fd); // tearDown also follows a failed boot, where start may not have run
  }
}
