/**
 * `type: console`: one line per value on stdout (strings as they are, other values as JSON), written in
 * batches when the hosting agent goes idle.
 *
 * @module
 */
import type { SinkPlugin } from "../plugin-api.ts";
import { renderText } from "../value-mappers.ts";

const MAX_BUFFERED_LINES = 1024;

/**
 * @example
 * ```ts
 * const sink = new ConsoleSink("out");
 * sink.accept({ pnl: 12.5 }); // printed as {"pnl":12.5} at the next flush
 * ```
 */
export class ConsoleSink implements SinkPlugin {
  private lines: string[] = [];

  constructor(readonly name: string, private readonly write: (text: string) => void = (text) => console.log(text)) {}

  accept(value: unknown): void {
    this.lines.push(renderText(value));
    if (this.lines.length >= MAX_BUFFERED_LINES) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.write(this.lines.join("\n"));
    this.lines = [];
  }

  stop(): void {
    this.flush();
  }
}
