import { describe, expect, it } from "bun:test";
import { DeadlineHeap } from "../../../src/core/host/deadline-heap.ts";
import { seededRandom } from "../../helpers.ts";

describe("DeadlineHeap", () => {
  it("pops in deadline order (ties in insertion order) through growth, cancels and slot reuse, as a sorted list would", () => {
    const random = seededRandom(10);
    const heap = new DeadlineHeap<string>();
    const model = new Map<number, { deadline: number; order: number; name: string }>();
    let order = 0;
    let now = 0;
    for (let step = 0; step < 5_000; step++) {
      const roll = random();
      if (roll < 0.5) {
        const deadline = now + Math.floor(random() * 50);
        const name = `t${step}`;
        const id = heap.add(deadline, 0, name, step % 3);
        expect(model.has(id)).toBe(false);
        model.set(id, { deadline, order: order++, name });
      } else if (roll < 0.65 && model.size > 0) {
        const ids = [...model.keys()];
        const id = ids[Math.floor(random() * ids.length)];
        expect(heap.cancel(id)).toBe(true);
        expect(heap.cancel(id)).toBe(false);
        model.delete(id);
      } else {
        now += Math.floor(random() * 10);
        const due = [...model.entries()].filter(([, t]) => t.deadline <= now).sort(([, a], [, b]) => a.deadline - b.deadline || a.order - b.order);
        for (const [id, timer] of due) {
          const slot = heap.popDue(now);
          expect(heap.idOf(slot)).toBe(id);
          expect(heap.payloadOf(slot)).toBe(timer.name);
          heap.release(slot);
          expect(heap.isLive(id)).toBe(false);
          model.delete(id);
        }
        expect(heap.popDue(now)).toBe(-1);
      }
      expect(heap.size).toBe(model.size);
      expect(heap.nextDeadline()).toBe(model.size ? Math.min(...[...model.values()].map((t) => t.deadline)) : Infinity);
    }
  });

  it("reschedules a popped slot under the same id, and clears by tag", () => {
    const heap = new DeadlineHeap<string>();
    const periodic = heap.add(10, 10, "periodic", 1);
    heap.add(15, 0, "other", 2);
    const slot = heap.popDue(10);
    expect(heap.periodOf(slot)).toBe(10);
    heap.reschedule(slot, 20);
    expect(heap.isLive(periodic)).toBe(true);
    expect(heap.clear(1)).toBe(1);
    expect(heap.isLive(periodic)).toBe(false);
    expect(heap.size).toBe(1);
    expect(heap.payloadOf(heap.popDue(100))).toBe("other");
  });
});
