/**
 * The connection of one NATS feed or sink: connects with the configured credentials, keeps trying
 * forever (with backoff) until the broker is reachable and the component's own setup (stream, consumer)
 * succeeded, then lets the client reconnect by itself. Its status says why it is down, for readiness; the
 * log gets one line per change of state, not one per attempt.
 *
 * Runs on the component's agent (a Web Worker): the client's socket is read in the event loop, which the
 * agent leaves free while it parks (the plugins declare `ioOnEventLoop`), and whatever arrives wakes it.
 * `@nats-io/transport-node` uses `node:net`, which Bun, Deno and the compiled binary all provide.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { clearTimeout, setTimeout } from "node:timers";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../log/log.ts";
import type { Counter } from "../counters.ts";
import { describeThrown } from "../errors.ts";

/** The connection keys every NATS feed and sink has (validated by the configuration schema). */
export interface NatsConnectionSettings {
  servers: string[];
  subject: string;
  token?: string;
  user?: string;
  password?: string;
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** First wait after a failed attempt; doubles up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** Between the client's own reconnect attempts once connected (it tries forever). */
const RECONNECT_WAIT_MS = 500;
/** How long one connect attempt may take. */
const CONNECT_TIMEOUT_MS = 5_000;

/** What the component does once connected (e.g. ensure its stream and consumer, start consuming); a throw means "not ready, retry". */
export type Prepare = (connection: NatsConnection) => Promise<void>;

/**
 * @example
 * ```ts
 * const link = new NatsLink(`feed "orders"`, settings, log, connectedGauge, async (nc) => { await consume(nc); });
 * link.start();
 * link.status(); // { connected: false, detail: "cannot connect to nats://127.0.0.1:4222: …" } until it is up
 * await link.close();
 * ```
 */
export class NatsLink {
  private connection: NatsConnection | undefined;
  private ready = false;
  private detail = "connecting";
  private closing = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLogged: string | undefined;

  constructor(
    private readonly component: string,
    private readonly settings: NatsConnectionSettings,
    private readonly log: Logger,
    private readonly connectedGauge: Counter,
    private readonly prepare: Prepare,
    /** Told on every change of state (e.g. to wake the agent). */
    private readonly changed: () => void = () => {},
  ) {}

  /** The connection while it is up and prepared, else undefined. */
  get current(): NatsConnection | undefined {
    return this.ready ? this.connection : undefined;
  }

  /** Starts connecting in the background. */
  start(): void {
    void this.attempt();
  }

  status(): { connected: boolean; detail?: string } {
    return this.ready ? { connected: true } : { connected: false, detail: this.detail };
  }

  /** Closes the connection (waits for what it has buffered to be sent) and stops retrying. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    const connection = this.connection;
    this.connection = undefined;
    this.ready = false;
    this.connectedGauge.set(0);
    if (connection && !connection.isClosed()) await connection.drain().catch(() => connection.close());
  }

  private async attempt(): Promise<void> {
    if (this.closing) return;
    let connection: NatsConnection | undefined;
    try {
      connection = await connect(this.options());
      this.connection = connection;
      await this.prepare(connection);
    } catch (thrown) {
      if (connection && !connection.isClosed()) await connection.close().catch(() => {});
      this.connection = undefined;
      if (this.closing) return;
      this.setState(false, `${connection ? "" : `cannot connect to ${this.settings.servers.join(", ")}: `}${describeThrown(thrown).message}`);
      this.retryTimer = setTimeout(() => void this.attempt(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      return;
    }
    if (this.closing) {
      await connection.close().catch(() => {});
      return;
    }
    this.retryMs = FIRST_RETRY_MS;
    this.setState(true, `connected to ${connection.getServer()}`);
    void this.watch(connection);
  }

  /** Follows the client's reconnects; a connection that closes by itself (e.g. credentials refused on reconnect) starts the retries again. */
  private async watch(connection: NatsConnection): Promise<void> {
    const closed = connection.closed();
    void closed.then((error) => {
      if (this.closing || this.connection !== connection) return;
      this.connection = undefined;
      this.setState(false, `connection closed${error ? `: ${describeThrown(error).message}` : ""}`);
      this.retryTimer = setTimeout(() => void this.attempt(), this.retryMs);
    });
    for await (const event of connection.status()) {
      if (this.closing || this.connection !== connection) return;
      if (event.type === "disconnect") this.setState(false, `disconnected from ${event.server}: reconnecting`);
      else if (event.type === "reconnect") this.setState(true, `reconnected to ${event.server}`);
    }
  }

  private setState(ready: boolean, detail: string): void {
    this.ready = ready;
    this.detail = detail;
    this.connectedGauge.set(ready ? 1 : 0);
    // One line per change of state: a broker that stays unreachable is logged once, not per attempt.
    const line = `${ready}:${ready ? "" : detail}`;
    if (line !== this.lastLogged) {
      this.lastLogged = line;
      if (ready) this.log.info(`${this.component}: ${detail}`);
      else this.log.error(`${this.component} is not connected: ${detail} (retrying)`);
    }
    this.changed();
  }

  private options(): Parameters<typeof connect>[0] {
    const { servers, token, user, password, credsFile, tls } = this.settings;
    return {
      servers,
      name: this.component,
      token,
      user,
      pass: password,
      authenticator: credsFile === undefined ? undefined : credsAuthenticator(readFileSync(credsFile)),
      tls,
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
    };
  }
}
