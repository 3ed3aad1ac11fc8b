/**
 * `POST /api/feeds/{name}/events`: offers events into a memory feed over HTTP, so a smoke check (or an
 * operator) can push sample events into a running `mongoose run` the way an embedding program calls
 * `server.offer`. The body is JSON lines: each non-blank line is one event. Mutating, so it needs the
 * admin token like every POST. Every line is parsed before any is offered, so a malformed body offers
 * nothing; a feed that is not `type: memory` is a 400 (its events come from elsewhere), an unknown one 404.
 * Like `server.offer`, an offer waits on this (the main) thread while a subscriber's ring is full
 * (`onFull: block`); one that gives up after `offerTimeoutMs` ends the request with a 503 saying how many
 * went out.
 *
 * With `tracing:` configured, the request's W3C `traceparent` header goes with every event it offers, to
 * the handlers (`meta.traceparent`) and on to what they publish across a process boundary (a NATS sink).
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminTargetRef } from "../admin-target.ts";
import { bodyText } from "../request-guards.ts";
import { whenRunning } from "./booting.ts";

/**
 * @example
 * ```ts
 * app.route("/", feedEventRoutes(() => server));
 * // curl -X POST localhost:8080/api/feeds/prices/events --data-binary $'{"px":1}\n{"px":2}\n'
 * // → {"feed":"prices","offered":2,"lastSequence":2}
 * ```
 */
export function feedEventRoutes(target: AdminTargetRef): Hono {
  return new Hono().post("/api/feeds/:name/events", (c) =>
    whenRunning(target, c, async (server) => {
      const name = c.req.param("name");
      const feed = server.topology().feeds.find((candidate) => candidate.name === name);
      if (!feed) return c.json({ error: `no feed named "${name}"` }, 404);
      if (feed.type !== "memory") return c.json({ error: `feed "${name}" is type ${feed.type}: events can be offered over HTTP only to memory feeds` }, 400);
      const events: unknown[] = [];
      const lines = (await bodyText(c)).split("\n");
      for (const [index, line] of lines.entries()) {
        if (line.trim() === "") continue;
        try {
          events.push(JSON.parse(line));
        } catch (error) {
          return c.json({ error: `line ${index + 1} of the body is not JSON (one event per line): ${(error as Error).message}` }, 400);
        }
      }
      const traceparent = c.req.header("traceparent");
      const options = traceparent === undefined ? undefined : { traceparent };
      let lastSequence = 0;
      for (const [index, event] of events.entries()) {
        try {
          lastSequence = server.offer(name, event, options) || lastSequence;
        } catch (error) {
          // A subscriber's ring stayed full for offerTimeoutMs: the events before this one went out.
          return c.json({ error: `event ${index + 1} could not be offered: ${(error as Error).message}`, feed: name, offered: index, lastSequence }, 503);
        }
      }
      return c.json({ feed: name, offered: events.length, lastSequence });
    }));
}
