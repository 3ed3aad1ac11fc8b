import { describe, expect, test } from "bun:test";
import { RestartBudget } from "../../../src/core/supervisor/restart-budget.ts";

describe("RestartBudget", () => {
  test("doubles the wait for each restart within the window, up to the cap, then gives up", () => {
    const budget = new RestartBudget({ maxRestarts: 4, windowMs: 60_000, backoffMs: 100, backoffMaxMs: 300 });
    expect([0, 1, 2, 3].map((at) => budget.next(at))).toEqual([
      { attempt: 1, delayMs: 100 },
      { attempt: 2, delayMs: 200 },
      { attempt: 3, delayMs: 300 },
      { attempt: 4, delayMs: 300 },
    ]);
    expect(budget.next(4)).toBeUndefined();
    expect(budget.describeSpent()).toBe("4 restarts within restartWindowMs 60000 (maxRestarts 4)");
  });

  test("forgets restarts older than the window: the backoff starts over, attempts keep counting", () => {
    const budget = new RestartBudget({ maxRestarts: 2, windowMs: 1_000, backoffMs: 50, backoffMaxMs: 10_000 });
    expect(budget.next(0)).toEqual({ attempt: 1, delayMs: 50 });
    expect(budget.next(500)).toEqual({ attempt: 2, delayMs: 100 });
    expect(budget.next(900)).toBeUndefined();
    expect(budget.next(1_000)).toEqual({ attempt: 3, delayMs: 100 }); // the restart at 0 left the window
    expect(budget.next(2_600)).toEqual({ attempt: 4, delayMs: 50 }); // both left it
  });
});
