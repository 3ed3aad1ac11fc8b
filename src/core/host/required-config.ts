/**
 * The `configMap` keys a handler declared it needs (`ctx.require*`), with their types: read at boot, and
 * checked against every later config update, so an update cannot take away what the handler relies on.
 *
 * @module
 */

/** What a required key must hold. */
export type RequiredType = "any" | "string" | "number" | "boolean";

/** Thrown by `ctx.require*` for a missing or mistyped key; fails the boot when thrown in init or start. */
export class RequiredConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RequiredConfigError";
  }
}

function problemWith(value: unknown, type: RequiredType): string | undefined {
  if (value === undefined || value === null) return "is missing from its configMap";
  if (type === "any" || (typeof value === type && (type !== "number" || Number.isFinite(value)))) return undefined;
  return `must be a ${type === "number" ? "finite number" : type}, got ${JSON.stringify(value) ?? String(value)}`;
}

/**
 * @example
 * ```ts
 * const required = new RequiredConfig("pnl");
 * required.read({ currency: "USD" }, "currency", "string"); // "USD"
 * required.check({}); // 'required config key "currency" is missing from its configMap'
 * ```
 */
export class RequiredConfig {
  private readonly keys = new Map<string, RequiredType>();

  constructor(private readonly handlerName: string) {}

  /** `config[key]` if it is present and of `type`; records the requirement. Throws RequiredConfigError otherwise. */
  read(config: Readonly<Record<string, unknown>>, key: string, type: RequiredType): unknown {
    const previous = this.keys.get(key);
    if (previous === undefined || previous === "any") this.keys.set(key, type);
    const problem = problemWith(config[key], type);
    if (problem) throw new RequiredConfigError(`handler "${this.handlerName}": required config key "${key}" ${problem}`);
    return config[key];
  }

  /** Why `config` breaks a requirement, or undefined if it meets them all. */
  check(config: Readonly<Record<string, unknown>>): string | undefined {
    for (const [key, type] of this.keys) {
      const problem = problemWith(config[key], type);
      if (problem) return `required config key "${key}" ${problem}`;
    }
    return undefined;
  }
}
