import { describe, expect, it } from "bun:test";
import { CircuitBreaker, type CircuitState } from "../../src/core/circuit-breaker.ts";

/** A breaker on a clock the test moves, recording its transitions. */
function breakerAt(settings: { failures: number; windowMs: number; openMs: number; consecutive?: boolean }) {
  const clock = { now: 0 };
  const transitions: string[] = [];
  const breaker = new CircuitBreaker(settings, () => clock.now, (from: CircuitState, to: CircuitState) => transitions.push(`${from}→${to}`));
  return { breaker, clock, transitions };
}

describe("circuit breaker", () => {
  it("opens at `failures` failures within the window, not when they are spread wider", () => {
    const { breaker, clock } = breakerAt({ failures: 3, windowMs: 1_000, openMs: 5_000 });
    for (const at of [0, 600, 1_200]) {
      clock.now = at;
      breaker.failed();
    }
    expect(breaker.state).toBe("closed"); // the first of the three is 1200 ms before the last
    clock.now = 1_300;
    breaker.failed(); // 600, 1200, 1300
    expect(breaker.state).toBe("open");
  });

  it("lets nothing through while open, then one probe: success closes, failure re-opens for openMs", () => {
    const { breaker, clock, transitions } = breakerAt({ failures: 1, windowMs: 1_000, openMs: 100 });
    breaker.failed();
    expect(breaker.allow()).toBe(false);
    expect(breaker.millisUntilProbe()).toBe(100);
    clock.now = 100;
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe("halfOpen");
    expect(breaker.allow()).toBe(false); // one probe at a time
    breaker.failed();
    expect(breaker.state).toBe("open");
    clock.now = 150;
    expect(breaker.allow()).toBe(false);
    clock.now = 200;
    expect(breaker.allow()).toBe(true);
    breaker.succeeded();
    expect(breaker.allow()).toBe(true);
    expect(transitions).toEqual(["closed→open", "open→halfOpen", "halfOpen→open", "open→halfOpen", "halfOpen→closed"]);
  });

  it("admits no more calls at once than it takes failures to open it", () => {
    const { breaker, clock } = breakerAt({ failures: 4, windowMs: 1_000, openMs: 100 });
    expect(breaker.admissible()).toBe(4);
    breaker.failed();
    expect(breaker.admissible()).toBe(3);
    clock.now = 2_000; // that failure left the window
    expect(breaker.admissible()).toBe(4);
    for (let i = 0; i < 4; i++) breaker.failed();
    expect(breaker.admissible()).toBe(0);
    clock.now = 2_100;
    expect(breaker.admissible()).toBe(1);
  });

  it("with `consecutive`, a success forgets the failures before it", () => {
    const { breaker } = breakerAt({ failures: 2, windowMs: Infinity, openMs: 100, consecutive: true });
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    expect(breaker.state).toBe("closed");
    breaker.failed();
    expect(breaker.state).toBe("open");
  });
});
