import type { Dial, DialPatch } from '../dials.js';
import type { DialChange, StateSnapshot, StateStore } from './contract.js';
import { applyRollback, applyUpdate, emptyDocument, routeHistory, type StateDocument } from './history.js';

/** The state store in memory: for unit tests and for a proxy whose dials need not survive it. */
export class MemoryStateStore implements StateStore {
  private doc: StateDocument = emptyDocument();
  private readonly listeners = new Set<(s: StateSnapshot) => void>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async load(): Promise<StateSnapshot> {
    return { version: this.doc.version, dials: this.doc.dials };
  }

  async update(route: string, defaults: Dial, patch: DialPatch, who: string): Promise<DialChange> {
    return this.commit(applyUpdate(this.doc, route, defaults, patch, who, this.now()));
  }

  async rollback(route: string, defaults: Dial, who: string): Promise<DialChange> {
    return this.commit(applyRollback(this.doc, route, defaults, who, this.now()));
  }

  async history(route: string, limit?: number): Promise<DialChange[]> {
    return routeHistory(this.doc, route, limit);
  }

  subscribe(listener: (s: StateSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private commit(result: { doc: StateDocument; change: DialChange }): DialChange {
    this.doc = result.doc;
    const snap = { version: this.doc.version, dials: this.doc.dials };
    for (const l of this.listeners) l(snap);
    return result.change;
  }
}
