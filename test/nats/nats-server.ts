/**
 * A real `nats-server` with JetStream for tests: Debian's binary on a free loopback port, its store in a
 * temporary folder. It can be stopped and started again on the same port and store (a broker restart
 * with file storage), or killed.
 *
 * @example
 * ```ts
 * const nats = await NatsServer.start();
 * // ... servers: [nats.url]
 * await nats.restart();
 * await nats.stop();
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers.ts";
import { type Child, start } from "../process.ts";

const READY_TIMEOUT_MS = 30_000;

/** One `nats-server -js` process (and its successors after a restart), on one port and one store folder. */
export class NatsServer {
  private child: Child | undefined;
  private output = "";

  private constructor(readonly port: number, readonly storeDir: string, private readonly extraArgs: string[]) {}

  /** Starts a server; `extraArgs` are passed on (e.g. `["--auth", "secret"]` to require a token). */
  static async start(extraArgs: string[] = []): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), "mongoose-nats-")), extraArgs);
    await server.launch();
    return server;
  }

  /** The client URL, e.g. `nats://127.0.0.1:4222`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** What the server logged so far (all its runs). */
  log(): string {
    return this.output;
  }

  /** Stops the server (SIGTERM, or SIGKILL with `kill: true`) and waits until it has exited; the store is kept. */
  async halt(options: { kill?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (options.kill) child.kill();
    else child.interrupt("SIGTERM");
    await child.exitCode;
  }

  /** Stops the server and starts it again on the same port with the same store. */
  async restart(options: { kill?: boolean } = {}): Promise<void> {
    await this.halt(options);
    await this.launch();
  }

  /** Starts it again after {@link NatsServer.halt}. */
  async resume(): Promise<void> {
    if (!this.child) await this.launch();
  }

  /** Stops the server and deletes its store. */
  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const args = ["-js", "-a", "127.0.0.1", "-p", String(this.port), "-sd", this.storeDir, ...this.extraArgs];
    const child = start(["nats-server", ...args]);
    this.child = child;
    const since = this.output.length;
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const collect = (text: string) => {
      this.output += text;
      if (this.output.slice(since).includes("Server is ready")) ready();
    };
    child.onStdout(collect);
    child.onStderr(collect);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = child.exitCode.then((code) => {
      throw new Error(`nats-server exited (code ${code}) before it was ready:\n${this.output.slice(since)}`);
    });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`nats-server not ready in ${READY_TIMEOUT_MS} ms:\n${this.output.slice(since)}`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([isReady, exited, timedOut]);
    } finally {
      clearTimeout(timer);
      exited.catch(() => {}); // after readiness, an exit is expected (halt) or seen by the tests
    }
  }
}
