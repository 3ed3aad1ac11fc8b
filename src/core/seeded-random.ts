/**
 * The seeded pseudo-random generator behind `ctx.random()`: mulberry32 (32-bit state, passes BigCrush's
 * smaller batteries, a few ns per draw). Seeded per handler, so a replay given the journaled seed draws
 * the same numbers.
 *
 * @module
 */

/**
 * A generator of floats in [0, 1) from `seed` (used as an unsigned 32-bit integer).
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // the same first number for every seededRandom(42)
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fresh seed: a random unsigned 32-bit integer from the platform's CSPRNG.
 *
 * @example
 * ```ts
 * const random = seededRandom(newSeed());
 * ```
 */
export function newSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
