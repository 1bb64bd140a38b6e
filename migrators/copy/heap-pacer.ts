import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Keeps a long copy's memory flat. The live data of a run is small and bounded (a chunk and the
 * commits queued behind it: ~60 MB), but the Datastore client allocates heavily per entity and its
 * objects outlive a scavenge while a commit is in flight, so they reach the old generation, and V8
 * lets that fill with garbage to ~250 MB before a full collection: peak RSS then sits well above
 * 300 MB on a big table. A full collection whenever the heap passes `limitBytes` keeps it near the
 * live size, for a few ms per collection. `gc` is obtained the way jest-leak-detector does.
 */
export interface HeapPacer {
  /** Call between chunks and commits; collects when the heap is over the limit. True when it did. */
  check(): boolean;
  readonly collections: number;
}

let gcFn: (() => void) | undefined | null;

function gc(): (() => void) | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  return gcFn ?? null;
}

export function createHeapPacer(limitBytes = 112 * 1024 * 1024, headroomBytes = 48 * 1024 * 1024): HeapPacer {
  let collections = 0;
  // In a process whose live heap is already above the limit (a test runner, an embedding app),
  // collecting at every check would thrash: the next collection waits for `headroom` more.
  let threshold = limitBytes;
  const used = () => v8.getHeapStatistics().used_heap_size; // cheap; process.memoryUsage() reads /proc
  return {
    check() {
      if (used() < threshold) return false;
      const collect = gc();
      if (!collect) return false;
      collect();
      collections++;
      threshold = Math.max(limitBytes, used() + headroomBytes);
      return true;
    },
    get collections() {
      return collections;
    },
  };
}
