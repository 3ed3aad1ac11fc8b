/**
 * `type: nats` sink: publishes each value to a subject (`{field}` placeholders filled from the value).
 *
 * - **JetStream** (default): each publish awaits the stream's acknowledgement and is retried with backoff
 *   until it succeeds, under the same `Nats-Msg-Id` (from `msgId`, or one unique id per value), so the
 *   stream stores a retried or repeated value once. A value counts as written (`written()`, which the
 *   end-to-end commit and so a NATS feed's acks wait for) once it and every value before it are acked.
 * - **Core** (`jetstream: false`): fire-and-forget, written once handed to a connected client.
 *
 * At most {@link MAX_IN_FLIGHT} values are held (waiting for the connection or an ack): at that bound
 * `capacity()` is 0 and the sink's rings are not read, so its producers meet a full ring (backpressure)
 * rather than the sink growing without bound while the broker is away.
 *
 * The payload is the value if it is a string, else its JSON text (as the file sink writes it).
 *
 * With `tracing:` configured (a tracer given), a value that carries trace context (`meta.traceparent`: it
 * was sent while a traced event was handled) is published with a `traceparent` header, as the tracer
 * says (see boundary-tracer.ts); other values get no header. Without it no header is ever made.
 *
 * @module
 */
import { clearTimeout, setTimeout } from "node:timers";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { headers, InvalidArgumentError, InvalidSubjectError, type MsgHdrs, type NatsConnection, PermissionViolationError } from "@nats-io/transport-node";
import type { SinkPlan } from "../../plan/types.ts";
import type { Counter, CounterBlock } from "../counters.ts";
import { describeThrown } from "../errors.ts";
import { NatsLink, type NatsConnectionSettings } from "../nats/nats-link.ts";
import type { SinkContext, SinkPlugin, SinkStatus } from "../plugin-api.ts";
import { renderText } from "../value-mappers.ts";
import { Template } from "./template.ts";
import type { EventMeta } from "../handler-api.ts";
import type { BoundaryTracer } from "../tracing/boundary-tracer.ts";
import { TRACEPARENT_HEADER } from "../tracing/traceparent.ts";

/** A sink's NATS keys as planned (see config/nats-keys.ts). */
export interface NatsSinkSettings extends NatsConnectionSettings {
  jetstream: boolean;
  msgId?: string;
}

/** Values held at most (a power of two): waiting for the connection, or published and not yet acked. */
const MAX_IN_FLIGHT = 1024;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/** A subject to publish to: dot-separated tokens, none empty, no whitespace, no wildcards. */
const VALID_SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
/** At stop, how long values still unacknowledged may take before they are declared lost. */
const STOP_WAIT_MS = 10_000;

/**
 * @example
 * ```ts
 * const sink = new NatsSink(plan, counters); // plan.settings: servers, subject: "fills.{symbol}", msgId: "{orderId}"
 * sink.accept({ symbol: "AAPL", orderId: 7 }, meta); // published to fills.AAPL with Nats-Msg-Id 7
 * ```
 */
export class NatsSink implements SinkPlugin {
  readonly ioOnEventLoop = true;
  private ctx!: SinkContext;
  private link!: NatsLink;
  private js: JetStreamClient | undefined;
  private readonly settings: NatsSinkSettings;
  private readonly subject: Template;
  private readonly msgId: Template | undefined;
  /** Held values by absolute position modulo MAX_IN_FLIGHT: [settled, accepted) are not yet written. */
  private readonly subjects: string[] = new Array(MAX_IN_FLIGHT);
  private readonly payloads: string[] = new Array(MAX_IN_FLIGHT);
  private readonly ids: string[] = new Array(MAX_IN_FLIGHT);
  /** With a tracer: each held value's outgoing `traceparent`, or undefined for none. */
  private readonly traceparents: (string | undefined)[] | undefined;
  /** 1 once the value at that position is written (or failed in `accept`), else 0. */
  private readonly done = new Uint8Array(MAX_IN_FLIGHT);
  private accepted = 0;
  private settled = 0;
  /** Next position to hand to the client for the first time. */
  private sent = 0;
  private readonly idPrefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-`;
  private failing: string | undefined;
  private retryMs = FIRST_RETRY_MS;
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();
  private readonly published: Counter;
  private readonly failures: Counter;
  private readonly connected: Counter;

  constructor(private readonly plan: SinkPlan, counters: CounterBlock, private readonly tracer?: BoundaryTracer) {
    this.settings = plan.settings as unknown as NatsSinkSettings;
    if (tracer) this.traceparents = new Array(MAX_IN_FLIGHT);
    this.subject = new Template(this.settings.subject, "subject");
    this.msgId = this.settings.msgId === undefined ? undefined : new Template(this.settings.msgId, "msgId");
    const labels = { sink: plan.name };
    this.published = counters.counter("nats_published_total", labels);
    this.failures = counters.counter("nats_publish_failures_total", labels);
    this.connected = counters.counter("nats_connected", { component: plan.name });
  }

  start(ctx: SinkContext): void {
    this.ctx = ctx;
    this.link = new NatsLink(`sink "${this.plan.name}"`, this.settings, ctx.log, this.connected, (nc) => this.connectedTo(nc), () => {
      this.pump();
      ctx.wake();
    });
    this.link.start();
  }

  status(): SinkStatus {
    const link = this.link.status();
    if (link.connected && this.failing !== undefined) return { connected: false, detail: `publishing fails: ${this.failing}` };
    return link;
  }

  capacity(): number {
    return MAX_IN_FLIGHT - (this.accepted - this.settled);
  }

  written(): number {
    return this.settled;
  }

  /**
   * Throws (counted and reported by the host) when the value lacks a placeholder's field; such a value
   * counts as done, so `written()` does not wait for it.
   */
  accept(value: unknown, meta?: EventMeta): void {
    const position = this.accepted++;
    const at = position & (MAX_IN_FLIGHT - 1);
    try {
      const subject = this.subjects[at] = this.subject.fill(value);
      if (!VALID_SUBJECT.test(subject)) throw new Error(`subject "${this.subject.text}": "${subject}" is not a subject to publish to (empty token, whitespace, * or >)`);
      this.ids[at] = this.msgId ? this.msgId.fill(value) : this.idPrefix + position;
      this.payloads[at] = renderText(value);
      if (this.traceparents) this.traceparents[at] = this.traceOf(subject, meta?.traceparent);
    } catch (thrown) {
      this.settle(position);
      throw thrown;
    }
    this.done[at] = 0;
    this.pump();
  }

  /** Waits (bounded) until every held value is written; what is not by then is declared lost. */
  async stop(): Promise<void> {
    const deadline = performance.now() + STOP_WAIT_MS;
    while (this.settled < this.accepted && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const unsent = this.accepted - this.settled;
    if (unsent > 0) this.ctx.lost(unsent, new Error(`not acknowledged within ${STOP_WAIT_MS} ms of the stop: ${this.link.status().detail ?? this.failing ?? "no answer"}`));
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    this.settled = this.accepted;
    await this.link.close();
    await this.tracer?.flush();
  }

  /** The `traceparent` to publish a value to `subject` with, given the context it carries (the tracer's PRODUCER span). */
  private traceOf(subject: string, carried: string | undefined): string | undefined {
    return carried === undefined ? undefined : this.tracer!.sent(carried, { subject, component: this.plan.name });
  }

  /** Connected (again): values held while it was away go out now. */
  private connectedTo(nc: NatsConnection): Promise<void> {
    this.js = this.settings.jetstream ? jetstream(nc) : undefined;
    return Promise.resolve();
  }

  /** Hands every value not yet sent to the client, while connected (skipping those that failed in `accept`). */
  private pump(): void {
    const nc = this.link?.current;
    if (!nc) return;
    while (this.sent < this.accepted) {
      const position = this.sent++;
      if (this.done[position & (MAX_IN_FLIGHT - 1)] === 0) this.send(nc, position);
    }
  }

  private send(nc: NatsConnection, position: number): void {
    const at = position & (MAX_IN_FLIGHT - 1);
    const traced = this.traceparents?.[at];
    const traceparent = traced === undefined ? undefined : traceHeaders(traced);
    if (!this.js) {
      try {
        nc.publish(this.subjects[at], this.payloads[at], traceparent && { headers: traceparent });
        this.acknowledged(position);
      } catch (thrown) {
        this.failed(position, thrown);
      }
      return;
    }
    this.js.publish(this.subjects[at], this.payloads[at], { msgID: this.ids[at], headers: traceparent }).then(
      () => this.acknowledged(position),
      (thrown) => this.failed(position, thrown),
    );
  }

  private acknowledged(position: number): void {
    this.published.inc();
    this.failing = undefined;
    this.retryMs = FIRST_RETRY_MS;
    this.settle(position);
  }

  /** Marks the value at `position` finished and moves `written()` past every finished value at its front. */
  private settle(position: number): void {
    this.done[position & (MAX_IN_FLIGHT - 1)] = 1;
    const before = this.settled;
    while (this.settled < this.accepted && this.done[this.settled & (MAX_IN_FLIGHT - 1)] === 1) {
      const at = this.settled & (MAX_IN_FLIGHT - 1);
      this.payloads[at] = "";
      if (this.traceparents) this.traceparents[at] = undefined;
      this.settled++;
    }
    if (this.settled !== before) this.ctx.wake();
  }

  /**
   * A failed publish is tried again after a backoff (the same id: the stream drops a duplicate), unless
   * trying again cannot help (a payload over the broker's limit, a subject the account may not publish
   * to): that value is declared lost.
   */
  private failed(position: number, thrown: unknown): void {
    this.failures.inc();
    if (thrown instanceof InvalidArgumentError || thrown instanceof InvalidSubjectError || thrown instanceof PermissionViolationError) {
      this.ctx.lost(1, thrown);
      this.settle(position);
      return;
    }
    const reason = describeThrown(thrown).message;
    if (this.failing === undefined) this.ctx.log.warn(`sink "${this.plan.name}": publishing to ${this.subjects[position & (MAX_IN_FLIGHT - 1)]} failed, retrying: ${reason}`);
    this.failing = reason;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      const nc = this.link.current;
      if (nc) this.send(nc, position);
      else this.failed(position, new Error(this.link.status().detail ?? "not connected"));
    }, this.retryMs);
    this.retries.add(timer);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

/** NATS headers holding one `traceparent` (made per publish: the client keeps them with the message). */
function traceHeaders(traceparent: string): MsgHdrs {
  const made = headers();
  made.set(TRACEPARENT_HEADER, traceparent);
  return made;
}
