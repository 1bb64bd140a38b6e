/**
 * Chunks are committed concurrently and may finish out of order; the checkpoint may only move past
 * a chunk once every chunk before it is committed too, or a crash would skip rows. This tracks the
 * in-flight chunks in read order and releases the completed prefix.
 */
export interface InOrderTracker<T> {
  /** Registers a chunk (in read order); returns its sequence number. */
  add(value: T): number;
  /** Marks a chunk done; returns the chunks that are now complete in order (oldest first). */
  complete(seq: number): T[];
  readonly pending: number;
}

export function createInOrderTracker<T>(): InOrderTracker<T> {
  const entries = new Map<number, { value: T; done: boolean }>();
  let next = 0;
  let head = 0;
  return {
    add(value) {
      entries.set(next, { value, done: false });
      return next++;
    },
    complete(seq) {
      const e = entries.get(seq);
      if (e) e.done = true;
      const released: T[] = [];
      for (let h = entries.get(head); h?.done; h = entries.get(head)) {
        released.push(h.value);
        entries.delete(head++);
      }
      return released;
    },
    get pending() {
      return entries.size;
    },
  };
}
