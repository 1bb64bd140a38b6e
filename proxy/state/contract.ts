import type { Dial, DialPatch } from '../dials.js';
import type { GuardMemory } from './guard-memory.js';
import type { RampState } from './ramp-state.js';

export type { RampState } from './ramp-state.js';
export type { GuardMemory } from './guard-memory.js';

/** One audited dial change. */
export interface DialChange {
  /** The state version this change produced (versions count every change, of every route). */
  version: number;
  route: string;
  /** Who asked for it (the admin API's caller, as it named itself; `guard` and `ramp` for the proxy's own). */
  who: string;
  /** ISO time. */
  at: string;
  action: 'set' | 'rollback';
  before: Dial;
  after: Dial;
  /** For a rollback: the version of the change it undid. */
  undoes?: number;
  /** Why, when the proxy changed it by itself (a guard breach, a ramp step). */
  reason?: string;
  /** Set when the change turned a whole route group: its members' changes share one version. */
  group?: string;
}

/** What a store holds: the dials changed at runtime (a route absent here uses its config dials). */
export interface StateSnapshot {
  version: number;
  dials: Readonly<Record<string, Dial>>;
  /** Ramps by the route (or group) they turn; absent in a store that never held one. */
  ramps?: Readonly<Record<string, RampState>>;
  /** The guard's memory per route (the dials found healthy); absent in a store that never held one. */
  guard?: Readonly<Record<string, GuardMemory>>;
}

/** One route of a change that turns several at once (a route group). */
export interface MemberDefaults {
  route: string;
  /** The route's dial from the config. */
  defaults: Dial;
}

/**
 * The runtime dial store (file by default, memory for tests). Every change is versioned and audited;
 * a rollback undoes the route's latest change not undone yet, so repeated rollbacks walk back.
 * `defaults` is the route's dial from the config, used when the store has none for it.
 *
 * The document operations are pure functions (history.ts, ramp-state.ts) that every store wraps in
 * its own atomic read-modify-write; a store adds only its storage and its lease.
 */
export interface StateStore {
  load(): Promise<StateSnapshot>;
  update(route: string, defaults: Dial, patch: DialPatch, who: string, reason?: string): Promise<DialChange>;
  /** Turns several routes in one change (one version, each member audited, `group` set). */
  updateMany(members: readonly MemberDefaults[], patch: DialPatch, who: string, group: string, reason?: string): Promise<DialChange[]>;
  rollback(route: string, defaults: Dial, who: string): Promise<DialChange>;
  /** The route's changes, newest first. */
  history(route: string, limit?: number): Promise<DialChange[]>;
  /**
   * Writes (or with undefined removes) the ramp of a route or group when the stored one still has
   * revision `ifRevision` (undefined: when there is none); false when another writer came first.
   * Subscribers see the new snapshot.
   */
  putRamp(target: string, ramp: RampState | undefined, ifRevision: number | undefined): Promise<boolean>;
  /** Stores the dials the guard found healthy on a route (guard-memory.ts); subscribers see it. */
  putGuardMemory(route: string, healthy: readonly number[]): Promise<void>;
  /**
   * Leadership for work exactly one process must do (guard rollbacks, ramp steps): true when
   * `holder` holds the lease `name` for the next ttlMs (taken when free or expired, renewed when
   * its own). A holder that stops renewing loses it after ttlMs.
   */
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /**
   * Gives the lease up when `holder` holds it (a graceful stop), so that another process (or this
   * one restarted) takes it at once instead of after ttlMs; nothing is left of it in the store.
   */
  releaseLease(name: string, holder: string): Promise<void>;
  /** Called with every new snapshot, including those written by other processes. */
  subscribe(listener: (snapshot: StateSnapshot) => void): () => void;
  /** Whether changes can be made and are shared right now (see StateHealth); absent: always. */
  health?(): StateHealth;
  close(): Promise<void>;
}

/**
 * A shared store may become unreachable: the proxy then keeps serving its last known dials (fail
 * static), /healthz and the strangler_state_store_up metric say so, and changes are refused.
 */
export interface StateHealth {
  store: 'file' | 'memory' | 'redis';
  /** False while the store cannot be reached: dials are the last known ones, changes refused. */
  reachable: boolean;
  /** ISO time since when it is unreachable. */
  since?: string;
}
