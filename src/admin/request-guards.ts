/**
 * The answers every admin route shares for requests it cannot serve: 413 for a body over
 * {@link MAX_BODY_BYTES} (checked while it streams in, so a huge body is never buffered), 405 with
 * `Allow` for a known path with the wrong method, 404 for an unknown path, a route's own 4xx kept, and
 * JSON messages throughout. A 5xx means the server failed, never that the request was malformed.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";

/**
 * The largest request body the admin server reads.
 *
 * @example
 * ```ts
 * if (text.length > MAX_BODY_BYTES) return c.json({ error: "too large" }, 413);
 * ```
 */
export const MAX_BODY_BYTES = 1 << 20;

/**
 * Installs the shared middleware on `app`; call before mounting routes (the 405 check looks at every
 * route when a request first misses, so routes mounted later count too).
 *
 * @example
 * ```ts
 * const app = new Hono();
 * guardRequests(app);
 * app.get("/health/live", live);
 * // PUT /health/live → 405, Allow: GET, HEAD
 * ```
 */
export function guardRequests(app: Hono): void {
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: `request body over ${MAX_BODY_BYTES} bytes` }, 413) });
  app.use(async (c, next) => {
    // The limit reads a body without Content-Length (chunked) itself; a body that breaks while it reads
    // (a bad chunk size: Deno throws "Cannot read request body") is the client's fault, not a 500.
    let passedOn = false;
    try {
      return await limit(c, async () => {
        passedOn = true;
        await next();
      });
    } catch (error) {
      if (passedOn) throw error;
      throw new HTTPException(400, { message: `the request body could not be read: ${(error as Error).message}` });
    }
  });
  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) => c.json({ error: `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(" or ")}` }, 405, { Allow: methods.join(", ") }),
  }));
  app.notFound((c) => c.json({ error: `no such path: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    const status = (error as { status?: number }).status;
    // A route's own HTTPException (bad input) keeps its 4xx; anything else is the server's fault.
    if (typeof status === "number" && status >= 400 && status < 500) return c.json({ error: error.message }, status as 400);
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });
}

/**
 * The request body as text; a body that cannot be read (the client closed the connection before sending
 * all it announced) is the client's fault: 400, never 500.
 *
 * @example
 * ```ts
 * app.post("/api/commands/:name", async (c) => c.json(JSON.parse(await bodyText(c))));
 * ```
 */
export async function bodyText(c: Context): Promise<string> {
  try {
    return await c.req.text();
  } catch (error) {
    throw new HTTPException(400, { message: `the request body could not be read (truncated?): ${(error as Error).message}` });
  }
}
