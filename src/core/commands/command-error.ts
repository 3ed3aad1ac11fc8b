/**
 * The one error admin commands fail with. Its `kind` tells a front end what went wrong without parsing
 * the message (HTTP maps unknown → 404, bad-arguments → 400, failed → 500, timeout → 504).
 *
 * @module
 */

/** What went wrong with a command invocation. */
export type CommandErrorKind = "unknown" | "bad-arguments" | "failed" | "timeout";

/** The kinds, for front ends that map each one. */
export const COMMAND_ERROR_KINDS: readonly CommandErrorKind[] = ["unknown", "bad-arguments", "failed", "timeout"];

/**
 * @example
 * ```ts
 * try {
 *   await server.command("hepl");
 * } catch (error) {
 *   if (error instanceof CommandError && error.kind === "unknown") console.log(error.message); // …did you mean "help"?
 * }
 * ```
 */
export class CommandError extends Error {
  constructor(readonly kind: CommandErrorKind, readonly command: string, message: string) {
    super(message);
    this.name = "CommandError";
  }
}

/** The JSON form of a {@link CommandError}, as it crosses threads (and later, HTTP). */
export interface CommandFailure {
  kind: CommandErrorKind;
  message: string;
}
