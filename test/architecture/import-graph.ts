/**
 * The import graph of `src/`, read from the source text, and the checks the layering test applies to
 * it: no cycles, no import of a higher (or sibling) layer, and the engine's two sides kept apart.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** File (relative to `src/`) → files it imports (relative to `src/`); imports leaving `src/` are left out. */
export type ImportGraph = Map<string, string[]>;

/** Reads every `.ts` file below `root` and its static `import … from` / `export … from` specifiers. */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gms)]
          .map((match) => relative(root, resolve(dirname(path), match[1])))
          .filter((target) => !target.startsWith(".."));
        graph.set(relative(root, path), targets);
      }
    }
  };
  walk(root);
  return graph;
}

/** Every cycle, as the files on it (one entry per strongly connected component with more than one file). */
export function cycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/** A layer: the files it holds (a folder with a trailing slash, or one file) and its rank (lower is more basic). */
export interface Layer {
  path: string;
  rank: number;
}

/** The layer a file belongs to: the longest layer path that contains it. */
export function layerOf(file: string, layers: readonly Layer[]): Layer | undefined {
  return layers.filter((layer) => layer.path.endsWith("/") ? file.startsWith(layer.path) : file === layer.path)
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * Imports that go up or sideways: a file may import its own layer and layers of a lower rank only.
 * Files in no layer are reported too, so a new folder must be given its place.
 */
export function layerViolations(graph: ImportGraph, layers: readonly Layer[]): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file, layers);
    if (!from) {
      problems.push(`${file} belongs to no layer`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target, layers);
      if (!to || to === from) continue;
      if (to.rank >= from.rank) problems.push(`${file} (${from.path}, rank ${from.rank}) imports ${target} (${to.path}, rank ${to.rank})`);
    }
  }
  return problems;
}

/** Imports from files under `from` into files under any of `forbidden` (folder prefixes or files). */
export function forbiddenImports(graph: ImportGraph, from: string, forbidden: readonly string[], except: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith(from) || except.includes(file)) continue;
    for (const target of targets) {
      if (forbidden.some((prefix) => target.startsWith(prefix))) problems.push(`${file} imports ${target}`);
    }
  }
  return problems;
}
