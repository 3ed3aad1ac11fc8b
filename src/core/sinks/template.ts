/**
 * A text template with `{field}` placeholders filled from a value's fields (`{a.b}` reads a nested one),
 * e.g. a NATS sink's `subject: fills.{symbol}` or `msgId: "{orderId}"`.
 *
 * @module
 */

/**
 * @example
 * ```ts
 * new Template("fills.{symbol}", "subject").fill({ symbol: "AAPL" }); // "fills.AAPL"
 * ```
 */
export class Template {
  /** Literal text and field paths, alternating: literal, path, literal, …, literal. */
  private readonly literals: string[] = [];
  private readonly paths: string[][] = [];

  /** @param key the setting it comes from, named in errors */
  constructor(readonly text: string, private readonly key: string) {
    const pattern = /\{([^{}]+)\}/g;
    let from = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      this.literals.push(text.slice(from, match.index));
      this.paths.push(match[1].trim().split("."));
      from = match.index + match[0].length;
    }
    this.literals.push(text.slice(from));
  }

  /** The text with each placeholder replaced; throws naming the field when the value lacks it. */
  fill(value: unknown): string {
    const paths = this.paths;
    if (paths.length === 0) return this.text;
    let out = this.literals[0];
    for (let i = 0; i < paths.length; i++) out += this.field(value, paths[i]) + this.literals[i + 1];
    return out;
  }

  private field(value: unknown, path: string[]): string {
    let at = value;
    for (const key of path) {
      if (typeof at !== "object" || at === null || !(key in at)) {
        throw new Error(`${this.key} "${this.text}": the value has no field "${path.join(".")}"`);
      }
      at = (at as Record<string, unknown>)[key];
    }
    if (at === undefined || at === null || at === "") throw new Error(`${this.key} "${this.text}": the field "${path.join(".")}" is empty`);
    return String(at);
  }
}
