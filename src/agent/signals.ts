/**
 * The per-agent words in shared memory that other threads use to get an agent's attention or check it is
 * alive. Each word sits on its own 128-byte line because each has a different writer.
 *
 * @module
 */
import { WakeSignal } from "../transport/wake-signal.ts";

const WAKE = 0; // line 0: producers (and the supervisor) wake a parked agent
const CONTROL = 32; // line 1: supervisor bumps it after posting a control message
const HEARTBEAT = 64; // line 2: the agent bumps it at least every park and slice
const BYTES = 384;

/**
 * Shared words of one agent.
 *
 * @example
 * ```ts
 * const signals = new AgentSignals(AgentSignals.allocate());
 * signals.ringDoorbell();        // supervisor: "a control message is waiting"
 * signals.controlSequence();     // agent: notices the change and goes to read it
 * ```
 */
export class AgentSignals {
  /** Producers signal this when they publish into one of the agent's rings. */
  readonly wake: WakeSignal;
  private readonly words: Int32Array;

  /** Allocates the shared memory for one agent's signals. */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(BYTES);
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    this.wake = new WakeSignal(this.words, WAKE);
  }

  /** Supervisor: a control message was posted; interrupt any park or busy slice. */
  ringDoorbell(): void {
    Atomics.add(this.words, CONTROL, 1);
    Atomics.notify(this.words, CONTROL);
    Atomics.store(this.words, WAKE, 0);
    Atomics.notify(this.words, WAKE);
  }

  /** Count of doorbell rings so far. */
  controlSequence(): number {
    return Atomics.load(this.words, CONTROL);
  }

  /** Sleeps until the doorbell rings or `timeoutMs` passes; producers do not end this sleep. */
  sleepUntilDoorbell(seenSequence: number, timeoutMs: number): void {
    Atomics.wait(this.words, CONTROL, seenSequence, timeoutMs);
  }

  /** Async form of {@link AgentSignals.sleepUntilDoorbell}. */
  async sleepUntilDoorbellAsync(seenSequence: number, timeoutMs: number): Promise<void> {
    const waiting = Atomics.waitAsync(this.words, CONTROL, seenSequence, timeoutMs);
    if (waiting.async) await waiting.value;
  }

  /** Agent: proves it is alive. */
  beat(): void {
    Atomics.add(this.words, HEARTBEAT, 1);
  }

  /** Heartbeat count, read by the supervisor's watchdog. */
  heartbeat(): number {
    return Atomics.load(this.words, HEARTBEAT);
  }
}
