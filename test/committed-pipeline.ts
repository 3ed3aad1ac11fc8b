/**
 * The YAML of the pipeline the crash and shutdown tests run through `mongoose run`: the file `in.txt` read
 * with `readStrategy: COMMITTED` (broadcast) → the handlers of one agent → file sinks `<name>.txt`, all
 * relative to the YAML file's folder.
 *
 * @example
 * ```ts
 * writeFileSync(temp.path("app.yaml"), committedPipelineYaml({ agent: "processor", handlers: ["transform: {handler: ./transform.ts}"] }));
 * ```
 */

/** Settings of {@link committedPipelineYaml}. */
export interface CommittedPipeline {
  /** The handler agent's name. */
  agent: string;
  /** Lines of the agent's `eventHandlers` map, indented relative to it. */
  handlers: string[];
  /** File sinks, each writing `<name>.txt` (default: `out`). */
  sinks?: string[];
  /** Extra top-level YAML lines (e.g. `shutdownTimeoutMs: 1500`). */
  top?: string[];
}

/** The pipeline's YAML text (with `admin: false`). */
export function committedPipelineYaml({ agent, handlers, sinks = ["out"], top = [] }: CommittedPipeline): string {
  return [
    "admin: false",
    ...top,
    "eventFeeds:",
    "  - {name: in, type: file, filename: in.txt, readStrategy: COMMITTED, broadcast: true}",
    "eventSinks:",
    ...sinks.map((name) => `  - {name: ${name}, type: file, filename: ${name}.txt}`),
    "eventHandlers:",
    `  - agentName: ${agent}`,
    "    eventHandlers:",
    ...handlers.map((line) => `      ${line}`),
    "",
  ].join("\n");
}

/**
 * Source of `transform.ts`, the handler the crash tests run: `in-<id>` → `out-<id>` to the sink `out`.
 *
 * @example
 * ```ts
 * writeFileSync(temp.path("transform.ts"), TRANSFORM_HANDLER);
 * ```
 */
export const TRANSFORM_HANDLER = [
  `import type { HandlerContext, Sink } from "mongoose-server";`,
  `export default class Transform {`,
  `  private out!: Sink<string>;`,
  `  start(ctx: HandlerContext) { this.out = ctx.sink("out"); }`,
  `  onEvent(line: string) { this.out.accept("out-" + line.slice(3)); }`,
  `}`,
  ``,
].join("\n");
