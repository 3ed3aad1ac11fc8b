/**
 * The deadlines of one agent: a binary min-heap over timer slots kept in typed arrays. Slots are reused
 * through a free list and a periodic timer goes back into the heap in the slot it fired from, so adding,
 * firing and rescheduling allocate nothing once the arrays have grown to the agent's peak timer count.
 *
 * A timer id encodes its slot and the slot's generation: releasing a slot bumps the generation, so an id
 * that fired or was cancelled never matches the slot's next timer.
 *
 * @module
 */

/** Slots per generation step in an id: up to 16 M live timers per agent. */
const SLOT_SPACE = 2 ** 24;
/** Generations wrap here, keeping ids below 2^52 (exact as JavaScript numbers). */
const GENERATIONS = 2 ** 28;
const INITIAL_CAPACITY = 16;

/**
 * @example
 * ```ts
 * const heap = new DeadlineHeap<() => void>();
 * const id = heap.add(now + 100, 0, () => console.log("due"), 0);
 * const slot = heap.popDue(now + 100); // the slot, out of the heap but still allocated
 * heap.payloadOf(slot)();
 * heap.release(slot); // or heap.reschedule(slot, deadline) for a periodic timer
 * ```
 */
export class DeadlineHeap<T> {
  private capacity = 0;
  private count = 0;
  private nextSequence = 0;
  private deadlines = new Float64Array(0);
  private periods = new Float64Array(0);
  /** Insertion order: equal deadlines fire in the order they were set. */
  private sequences = new Float64Array(0);
  private generations = new Uint32Array(0);
  private tags = new Int32Array(0);
  /** Slot → index in `heap`, or -1 while the slot is not in it (free or firing). */
  private positions = new Int32Array(0);
  private heap = new Int32Array(0);
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  private payloads: (T | undefined)[] = [];

  /** Timers in the heap (a firing timer is not counted). */
  get size(): number {
    return this.count;
  }

  /** The earliest deadline, or Infinity when empty. */
  nextDeadline(): number {
    return this.count === 0 ? Infinity : this.deadlines[this.heap[0]];
  }

  /** Adds a timer; `period` 0 fires once. `tag` is a number the owner keeps with it (e.g. a handler index). Returns its id. */
  add(deadline: number, period: number, payload: T, tag: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.periods[slot] = period;
    this.tags[slot] = tag;
    this.payloads[slot] = payload;
    this.insert(slot, deadline);
    return this.generations[slot] * SLOT_SPACE + slot;
  }

  /** Cancels the timer `id` (also while it fires); false if it already fired once-only or was cancelled. */
  cancel(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    if (this.positions[slot] >= 0) this.removeAt(this.positions[slot]);
    this.release(slot);
    return true;
  }

  /** True while `id` names a live timer (in the heap or firing). */
  isLive(id: number): boolean {
    return this.slotOf(id) >= 0;
  }

  /** Takes the earliest timer out of the heap if its deadline is at or before `now`; its slot, or -1. */
  popDue(now: number): number {
    if (this.count === 0) return -1;
    const slot = this.heap[0];
    if (this.deadlines[slot] > now) return -1;
    this.removeAt(0);
    return slot;
  }

  idOf(slot: number): number {
    return this.generations[slot] * SLOT_SPACE + slot;
  }

  deadlineOf(slot: number): number {
    return this.deadlines[slot];
  }

  periodOf(slot: number): number {
    return this.periods[slot];
  }

  tagOf(slot: number): number {
    return this.tags[slot];
  }

  payloadOf(slot: number): T {
    return this.payloads[slot]!;
  }

  /** Puts a popped slot back with a new deadline. */
  reschedule(slot: number, deadline: number): void {
    this.insert(slot, deadline);
  }

  /** Frees a popped (or cancelled) slot for reuse; its id stops matching. */
  release(slot: number): void {
    this.generations[slot] = (this.generations[slot] + 1) % GENERATIONS || 1;
    this.payloads[slot] = undefined;
    this.positions[slot] = -1;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Cancels every timer whose tag is `tag`, or every timer at all; returns how many. */
  clear(tag?: number): number {
    let cleared = 0;
    for (let i = this.count - 1; i >= 0; i--) {
      const slot = this.heap[i];
      if (tag !== undefined && this.tags[slot] !== tag) continue;
      this.removeAt(i);
      this.release(slot);
      cleared++;
    }
    return cleared;
  }

  private slotOf(id: number): number {
    if (!Number.isInteger(id) || id < SLOT_SPACE) return -1;
    const slot = id % SLOT_SPACE;
    if (slot >= this.capacity || this.generations[slot] !== (id - slot) / SLOT_SPACE || this.payloads[slot] === undefined) return -1;
    return slot;
  }

  private insert(slot: number, deadline: number): void {
    this.deadlines[slot] = deadline;
    this.sequences[slot] = this.nextSequence++;
    const index = this.count++;
    this.heap[index] = slot;
    this.positions[slot] = index;
    this.siftUp(index);
  }

  private removeAt(index: number): void {
    const slot = this.heap[index];
    const last = this.heap[--this.count];
    this.positions[slot] = -1;
    if (index === this.count) return;
    this.heap[index] = last;
    this.positions[last] = index;
    this.siftDown(index);
    this.siftUp(this.positions[last]);
  }

  private earlier(a: number, b: number): boolean {
    const da = this.deadlines[a];
    const db = this.deadlines[b];
    return da < db || (da === db && this.sequences[a] < this.sequences[b]);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const slot = heap[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.earlier(slot, heap[parent])) break;
      heap[index] = heap[parent];
      this.positions[heap[index]] = index;
      index = parent;
    }
    heap[index] = slot;
    this.positions[slot] = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const slot = heap[index];
    for (;;) {
      let child = 2 * index + 1;
      if (child >= this.count) break;
      if (child + 1 < this.count && this.earlier(heap[child + 1], heap[child])) child++;
      if (!this.earlier(heap[child], slot)) break;
      heap[index] = heap[child];
      this.positions[heap[index]] = index;
      index = child;
    }
    heap[index] = slot;
    this.positions[slot] = index;
  }

  /** Doubles every array (the only allocation, when more timers are live than ever before). */
  private grow(): void {
    const old = this.capacity;
    const capacity = old === 0 ? INITIAL_CAPACITY : old * 2;
    if (capacity > SLOT_SPACE) throw new Error(`scheduler: more than ${SLOT_SPACE} timers on one agent`);
    const widen = <A extends Float64Array | Uint32Array | Int32Array>(array: A, make: (n: number) => A): A => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.deadlines = widen(this.deadlines, (n) => new Float64Array(n));
    this.periods = widen(this.periods, (n) => new Float64Array(n));
    this.sequences = widen(this.sequences, (n) => new Float64Array(n));
    this.generations = widen(this.generations, (n) => new Uint32Array(n));
    this.tags = widen(this.tags, (n) => new Int32Array(n));
    this.positions = widen(this.positions, (n) => new Int32Array(n));
    this.heap = widen(this.heap, (n) => new Int32Array(n));
    this.freeSlots = widen(this.freeSlots, (n) => new Int32Array(n));
    for (let slot = old; slot < capacity; slot++) {
      this.generations[slot] = 1;
      this.positions[slot] = -1;
    }
    // Lowest slots first out of the free list.
    for (let slot = capacity - 1; slot >= old; slot--) this.freeSlots[this.freeCount++] = slot;
    this.payloads.length = capacity;
    this.capacity = capacity;
  }
}
