/**
 * Names close to a mistyped one, for "did you mean" hints.
 *
 * @module
 */

/**
 * Edit distance between `a` and `b` where insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1 (optimal string alignment), so the typo "hlep" is one edit from "help".
 */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The `candidates` that start with `name`, or that `name` starts with, or within a third of its length
 * in edits (at least 1, at most 3), closest first.
 *
 * @example
 * ```ts
 * nearMatches("hlep", ["help", "commands", "quit"]); // ["help"]
 * nearMatches("server", ["server.processors.list", "quit"]); // ["server.processors.list"]
 * ```
 */
export function nearMatches(name: string, candidates: Iterable<string>, limit = 5): string[] {
  const wanted = name.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const prefix = wanted.length > 0 && (lower.startsWith(wanted) || wanted.startsWith(lower));
    const distance = editDistance(wanted, lower);
    if (prefix || distance <= allowed) scored.push({ candidate, score: prefix ? Math.min(distance, 0.5) : distance });
  }
  return scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate)).slice(0, limit).map((s) => s.candidate);
}
