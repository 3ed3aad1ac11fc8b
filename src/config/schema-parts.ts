/**
 * Small valibot schemas shared by the configuration schema and the component type registry, so both
 * word their problems the same way.
 *
 * @module
 */
import * as v from "valibot";

/** A non-empty string. */
export const nonEmptyName = v.pipe(v.string(), v.minLength(1, "must not be empty"));

/**
 * One of `values`; a problem lists them and says what was found.
 *
 * @example
 * ```ts
 * const side = oneOf(["BUY", "SELL"] as const); // 'expected one of BUY, SELL, got "HOLD"'
 * ```
 */
export function oneOf<const TValues extends readonly string[]>(values: TValues) {
  return v.picklist(values, (issue) => `expected one of ${values.join(", ")}, got ${issue.received}`);
}

/** An integer ≥ 1. */
export const positiveInteger = v.pipe(v.number(), v.integer("must be an integer"), v.minValue(1, "must be ≥ 1"));

/**
 * A YAML map (not a list) from non-empty names to `value`.
 *
 * @example
 * ```ts
 * const handlers = mapOf(v.object({ handler: v.string() }), "expected a map of handler names to settings");
 * ```
 */
export function mapOf<TValue extends v.GenericSchema>(value: TValue, message: string) {
  return v.pipe(
    v.custom<Record<string, unknown>>((map) => typeof map === "object" && map !== null && !Array.isArray(map), message),
    v.record(v.pipe(v.string(), v.minLength(1, "names must not be empty")), value),
  );
}

/** Free-form settings handed to user code (`configMap`, a plugin's `config`); default `{}`. */
export const settingsMap = v.optional(mapOf(v.unknown(), "expected a map of keys to values"), {});
