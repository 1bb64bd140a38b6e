import type { Dial, DialPatch } from '../dials.js';
import type { DialChange, MemberDefaults, StateHealth, StateSnapshot, StateStore } from './contract.js';
import { applyRollback, applyUpdate, applyUpdateMany, emptyDocument, routeHistory, type StateDocument } from './history.js';
import { applyPutGuard } from './guard-memory.js';
import { applyPutRamp, type RampState } from './ramp-state.js';

/** The state store in memory: for unit tests and for a proxy whose dials need not survive it. */
export class MemoryStateStore implements StateStore {
  private doc: StateDocument = emptyDocument();
  private readonly listeners = new Set<(s: StateSnapshot) => void>();
  private readonly leases = new Map<string, { holder: string; until: number }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async load(): Promise<StateSnapshot> {
    return this.snapshot();
  }

  async update(route: string, defaults: Dial, patch: DialPatch, who: string, reason?: string): Promise<DialChange> {
    const r = applyUpdate(this.doc, route, defaults, patch, who, this.now(), reason);
    this.commit(r.doc);
    return r.change;
  }

  async updateMany(members: readonly MemberDefaults[], patch: DialPatch, who: string, group: string, reason?: string): Promise<DialChange[]> {
    const r = applyUpdateMany(this.doc, members, patch, who, group, this.now(), reason);
    this.commit(r.doc);
    return r.changes;
  }

  async rollback(route: string, defaults: Dial, who: string): Promise<DialChange> {
    const r = applyRollback(this.doc, route, defaults, who, this.now());
    this.commit(r.doc);
    return r.change;
  }

  async history(route: string, limit?: number): Promise<DialChange[]> {
    return routeHistory(this.doc, route, limit);
  }

  async putRamp(target: string, ramp: RampState | undefined, ifRevision: number | undefined): Promise<boolean> {
    const doc = applyPutRamp(this.doc, target, ramp, ifRevision);
    if (doc === undefined) return false;
    this.commit(doc);
    return true;
  }

  /** One process: the lease is a map entry with an expiry. */
  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now().getTime();
    const held = this.leases.get(name);
    if (held !== undefined && held.holder !== holder && held.until > now) return false;
    this.leases.set(name, { holder, until: now + ttlMs });
    return true;
  }

  async putGuardMemory(route: string, healthy: readonly number[]): Promise<void> {
    const next = applyPutGuard(this.doc, route, healthy, this.now());
    if (next) this.commit(next);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  subscribe(listener: (s: StateSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(): StateHealth {
    return { store: 'memory', reachable: true };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private snapshot(): StateSnapshot {
    return { version: this.doc.version, dials: this.doc.dials, ...(this.doc.ramps && { ramps: this.doc.ramps }), ...(this.doc.guard && { guard: this.doc.guard }) };
  }

  private commit(doc: StateDocument): void {
    this.doc = doc;
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}
