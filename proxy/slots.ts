/** How many entries a table can hold at once; handles encode the slot below it. */
const SLOT_LIMIT = 2 ** 22;

/**
 * A table for the hot path's entries in flight (forwarded requests, shadow jobs): add() returns a
 * handle, get() and delete() take it back. A handle is never reused: once its entry is deleted, the
 * handle finds nothing, even after its slot holds a new entry.
 *
 * Why not a Map or a Set: under steady add/delete churn they rehash into a new backing table every
 * few dozen adds, and V8 links each obsolete table to its successor (for live iterators). Once one
 * obsolete table sits in the old generation (any full GC while it was current puts it there), that
 * link keeps every later table, and every entry those tables held, alive through young-generation
 * GCs until the next full GC. Every request then gets promoted, scavenges take 3× longer, and the
 * process stays that way for its whole life (bench/proxy-shadow.ts: BENCHMARKS.md).
 * Here the arrays are long-lived, grow only with the peak and are overwritten in place.
 */
export class Slots<V> {
  private readonly values: (V | undefined)[] = [];
  /** Per slot, how many entries it has held: the upper part of a handle. */
  private readonly generations: number[] = [];
  private readonly free: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(value: V): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.values.length;
      if (slot >= SLOT_LIMIT) throw new Error(`more than ${SLOT_LIMIT} entries at once`);
      this.generations.push(0);
    }
    this.values[slot] = value;
    this.count++;
    return this.generations[slot]! * SLOT_LIMIT + slot;
  }

  get(handle: number): V | undefined {
    const slot = handle % SLOT_LIMIT;
    return this.generations[slot] === Math.floor(handle / SLOT_LIMIT) ? this.values[slot] : undefined;
  }

  /** Removes the handle's entry and returns it (undefined when it was already gone). */
  delete(handle: number): V | undefined {
    const value = this.get(handle);
    if (value === undefined) return undefined;
    this.release(handle % SLOT_LIMIT);
    this.count--;
    return value;
  }

  /** The entries, in no particular order; deleting while iterating is safe. */
  *[Symbol.iterator](): IterableIterator<V> {
    for (let slot = 0; slot < this.values.length; slot++) {
      const v = this.values[slot];
      if (v !== undefined) yield v;
    }
  }

  clear(): void {
    for (let slot = 0; slot < this.values.length; slot++) if (this.values[slot] !== undefined) this.release(slot);
    this.count = 0;
  }

  /** Empties a slot for a later entry; the next generation makes its old handle find nothing. */
  private release(slot: number): void {
    this.values[slot] = undefined;
    this.generations[slot]!++;
    this.free.push(slot);
  }
}
