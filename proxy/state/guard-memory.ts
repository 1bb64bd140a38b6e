/**
 * What the guard remembers of a route, kept in the state store beside its dial: the dials at which a
 * full window of the new service's answers was healthy — where a rollback may go back to. Kept there
 * so that a restarted proxy (or another replica taking the pilot lease) rolls back to the same value.
 */
export interface GuardMemory {
  /** Ascending. */
  healthy: number[];
  /** ISO time of the last write. */
  at: string;
}

export interface GuardDocument {
  version: number;
  guard?: Record<string, GuardMemory>;
}

/** The document with the route's healthy dials set (pure); undefined when it already holds them. */
export function applyPutGuard<D extends GuardDocument>(doc: D, route: string, healthy: readonly number[], at: Date): D | undefined {
  const sorted = [...new Set(healthy)].sort((a, b) => a - b);
  if (doc.guard?.[route]?.healthy.join() === sorted.join()) return undefined;
  return { ...doc, version: doc.version + 1, guard: { ...doc.guard, [route]: { healthy: sorted, at: at.toISOString() } } };
}
