/**
 * URLs of the worker entry files. This module sits at the source root on purpose: inside a binary made by
 * `bun build --compile`, `import.meta.url` of the main bundle is `/$bunfs/root/<binary>`, so only a path
 * written relative to the source root resolves to the embedded worker file, in `bun run`, `deno run` and the
 * binary alike.
 *
 * @module
 */

/** The agent worker entry (`src/workers/agent.ts`). */
export const AGENT_WORKER_URL = new URL("./workers/agent.ts", import.meta.url).href;
