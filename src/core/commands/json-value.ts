/**
 * JSON values: what admin commands take and return. Front ends (embedding, HTTP, `mongoose admin`)
 * carry them as they are, so anything JSON cannot say is refused where it is produced, with its path.
 *
 * @module
 */

/** A value JSON can represent exactly. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Why `value` is not a JSON value (naming the first offending path, `$` being the value itself), or
 * undefined if it is one. Refuses what `JSON.stringify` would silently change: `undefined`, functions,
 * symbols, non-finite numbers, bigints, cycles, and objects other than plain objects and arrays (a Map
 * would become `{}`, a Date a string).
 *
 * @example
 * ```ts
 * jsonProblem({ a: [1, 2] });           // undefined
 * jsonProblem({ at: new Date() });      // "$.at is a Date"
 * ```
 */
export function jsonProblem(value: unknown, path = "$", seen: Set<object> = new Set()): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (typeof value !== "object") return `${path} is ${typeof value === "function" ? "a function" : typeof value === "undefined" ? "undefined" : `a ${typeof value}`}`;
  if (seen.has(value)) return `${path} refers back to itself`;
  const prototype = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && prototype !== Object.prototype && prototype !== null) return `${path} is a ${value.constructor?.name ?? "non-plain object"}`;
  seen.add(value);
  try {
    if (isArray) {
      for (let i = 0; i < value.length; i++) {
        const problem = jsonProblem(value[i], `${path}[${i}]`, seen);
        if (problem) return problem;
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
      const problem = jsonProblem(item, `${path}.${key}`, seen);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

/**
 * A deep copy of a checked JSON value, so caller and command never share mutable objects.
 *
 * @example
 * ```ts
 * const mine = copyJson({ rows: [1, 2] });
 * ```
 */
export function copyJson<T extends JsonValue>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
