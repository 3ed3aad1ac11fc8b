/**
 * Reads `/metrics` in tests: the exposition text parsed into sample lines, and lookups by name and labels.
 */

/** One parsed sample line of the exposition text. */
export interface Line {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the sample lines (label values here hold no escapes). */
export function parse(text: string): Line[] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    return { name: match[1], labels, value: Number(match[3]) };
  });
}

/** The samples of `name` whose labels include `labels`. */
export const samples = (lines: Line[], name: string, labels: Record<string, string> = {}) =>
  lines.filter((line) => line.name === name && Object.entries(labels).every(([key, value]) => line.labels[key] === value));
/** The value of the one sample of `name` with `labels`. */
export function value(lines: Line[], name: string, labels: Record<string, string> = {}): number {
  const found = samples(lines, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0].value;
}

/** The samples `/metrics` at the admin server `url` answers now. */
export const scrape = async (url: string) => parse(await (await fetch(`${url}metrics`)).text());
