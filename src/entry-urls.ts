/**
 * URLs of modules loaded at run time (worker entries, the demo handler). This module sits at the source
 * root on purpose: inside a binary made by `bun build --compile`, `import.meta.url` of the main bundle is
 * `/$bunfs/root/<binary>`, so only a path written relative to the source root resolves to the embedded
 * file, in `bun run`, `deno run` and the binary alike. Every file named here must be a build entrypoint.
 * The npm package ships these entries built to JavaScript next to this module's chunk (`lib/`), so there
 * the names end in `.js`; the sources and the binary keep `.ts`.
 *
 * @module
 */

const EXTENSION = import.meta.url.endsWith(".js") ? ".js" : ".ts";

/** The agent worker entry (`src/workers/agent.ts`). */
export const AGENT_WORKER_URL = new URL(`./workers/agent${EXTENSION}`, import.meta.url).href;

/** The demo's handler module (`src/demo/vwap.ts`). */
export const DEMO_HANDLER_URL = new URL(`./demo/vwap${EXTENSION}`, import.meta.url).href;

/** The benchmark's publisher feed (`src/bench/bench-feed.ts`). */
export const BENCH_FEED_URL = new URL(`./bench/bench-feed${EXTENSION}`, import.meta.url).href;

/** The benchmark's receiving handler (`src/bench/latency-handler.ts`). */
export const BENCH_HANDLER_URL = new URL(`./bench/latency-handler${EXTENSION}`, import.meta.url).href;

/** The benchmark's postMessage baseline worker (`src/bench/post-message-worker.ts`). */
export const BENCH_POST_MESSAGE_WORKER_URL = new URL(`./bench/post-message-worker${EXTENSION}`, import.meta.url).href;
