import type { MemorySink } from "mongoose-server";

/**
 * Thrown by {@link Replies.await} when no reply came in time.
 *
 * @example
 * ```ts
 * replies.await(7, 5_000).catch((error) => error instanceof ReplyTimeoutError && console.log(error.message));
 * ```
 */
export class ReplyTimeoutError extends Error {
  constructor(requestId: number, timeoutMs: number) {
    super(`no reply to request ${requestId} within ${timeoutMs} ms`);
    this.name = "ReplyTimeoutError";
  }
}

/**
 * Request → response correlation over a memory sink: each request registers its id before offering its
 * event; one pump takes every value the sink receives and hands it to the request whose id it carries.
 * Taking the values keeps the sink empty, so a long-running server does not accumulate replies.
 *
 * @example
 * ```ts
 * const replies = new Replies(server.sink<Quote>("quotes"));
 * const reply = replies.await(7, 5_000); // register first: the handler may answer during offer
 * server.offer("trades", { requestId: 7, symbol: "AAPL", price: 190, quantity: 10 });
 * console.log(await reply);
 * ```
 */
export class Replies<T extends { requestId: number }> {
  private readonly waiting = new Map<number, { deliver(reply: T): void; timer: ReturnType<typeof setTimeout> }>();
  private open = true;

  constructor(private readonly sink: MemorySink<T>) {
    void this.pump();
  }

  /** Resolves with the reply carrying `requestId`; rejects with ReplyTimeoutError after `timeoutMs`. */
  await(requestId: number, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new ReplyTimeoutError(requestId, timeoutMs));
      }, timeoutMs);
      this.waiting.set(requestId, {
        timer,
        deliver: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
      });
    });
  }

  /** Forgets a request whose event could not be offered; its promise never settles. */
  cancel(requestId: number): void {
    clearTimeout(this.waiting.get(requestId)?.timer);
    this.waiting.delete(requestId);
  }

  /** Hands out what the sink still holds and ends the pump; call it after the server stopped. */
  close(): void {
    this.open = false;
    this.deliver();
  }

  private async pump(): Promise<void> {
    while (this.open) {
      // waitUntil rejects when nothing came within the second; that only means: look at `open` again.
      const arrived = await this.sink.waitUntil((values) => values.length > 0, 1_000).then(() => true, () => false);
      if (arrived) this.deliver();
    }
  }

  private deliver(): void {
    for (const reply of this.sink.take()) {
      this.waiting.get(reply.requestId)?.deliver(reply);
      this.waiting.delete(reply.requestId);
    }
  }
}
