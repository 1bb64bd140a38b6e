import type { Dial, DialPatch } from '../dials.js';

/** One audited dial change. */
export interface DialChange {
  /** The state version this change produced (versions count every change, of every route). */
  version: number;
  route: string;
  /** Who asked for it (the admin API's caller, as it named itself). */
  who: string;
  /** ISO time. */
  at: string;
  action: 'set' | 'rollback';
  before: Dial;
  after: Dial;
  /** For a rollback: the version of the change it undid. */
  undoes?: number;
}

/** What a store holds: the dials changed at runtime (a route absent here uses its config dials). */
export interface StateSnapshot {
  version: number;
  dials: Readonly<Record<string, Dial>>;
}

/**
 * The runtime dial store (file by default, memory for tests). Every change is versioned and audited;
 * a rollback undoes the route's latest change not undone yet, so repeated rollbacks walk back.
 * `defaults` is the route's dial from the config, used when the store has none for it.
 */
export interface StateStore {
  load(): Promise<StateSnapshot>;
  update(route: string, defaults: Dial, patch: DialPatch, who: string): Promise<DialChange>;
  rollback(route: string, defaults: Dial, who: string): Promise<DialChange>;
  /** The route's changes, newest first. */
  history(route: string, limit?: number): Promise<DialChange[]>;
  /** Called with every new snapshot, including those written by other processes. */
  subscribe(listener: (snapshot: StateSnapshot) => void): () => void;
  close(): Promise<void>;
}
