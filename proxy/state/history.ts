import { StranglerError } from '../../core/errors.js';
import { sameDial, type Dial, type DialPatch } from '../dials.js';
import type { DialChange, MemberDefaults, StateSnapshot } from './contract.js';
import type { GuardMemory } from './guard-memory.js';
import type { RampState } from './ramp-state.js';

/** A store's whole content; the file store writes exactly this. */
export interface StateDocument extends StateSnapshot {
  /** Every change, oldest first (capped at MAX_HISTORY; the oldest are dropped). */
  history: DialChange[];
  ramps?: Record<string, RampState>;
  guard?: Record<string, GuardMemory>;
}

export const MAX_HISTORY = 5000;

export function emptyDocument(): StateDocument {
  return { version: 0, dials: {}, history: [] };
}

/** Commits changes as one new version (several only for a route group). */
function commitAll(doc: StateDocument, changes: readonly Omit<DialChange, 'version'>[]): { doc: StateDocument; changes: DialChange[] } {
  const version = doc.version + 1;
  const full: DialChange[] = changes.map((c) => ({ version, ...c }));
  const history = [...doc.history, ...full];
  if (history.length > MAX_HISTORY) history.splice(0, history.length - MAX_HISTORY);
  const dials = { ...doc.dials };
  for (const c of full) dials[c.route] = c.after;
  return { doc: { ...doc, version, dials, history }, changes: full };
}

function commit(doc: StateDocument, change: Omit<DialChange, 'version'>): { doc: StateDocument; change: DialChange } {
  const r = commitAll(doc, [change]);
  return { doc: r.doc, change: r.changes[0]! };
}

function patched(before: Dial, patch: DialPatch): Dial {
  return { new: patch.new ?? before.new, shadow: patch.shadow ?? before.shadow, fallback: patch.fallback ?? before.fallback };
}

/** Applies a dial change to a document (pure). */
export function applyUpdate(doc: StateDocument, route: string, defaults: Dial, patch: DialPatch, who: string, at: Date, reason?: string): { doc: StateDocument; change: DialChange } {
  const before = doc.dials[route] ?? defaults;
  return commit(doc, { route, who, at: at.toISOString(), action: 'set', before, after: patched(before, patch), ...(reason !== undefined && { reason }) });
}

/** Applies one patch to every member of a route group as one change (pure). */
export function applyUpdateMany(doc: StateDocument, members: readonly MemberDefaults[], patch: DialPatch, who: string, group: string, at: Date, reason?: string): { doc: StateDocument; changes: DialChange[] } {
  const when = at.toISOString();
  return commitAll(
    doc,
    members.map(({ route, defaults }) => {
      const before = doc.dials[route] ?? defaults;
      return { route, who, at: when, action: 'set' as const, before, after: patched(before, patch), group, ...(reason !== undefined && { reason }) };
    }),
  );
}

/** The route's latest change that no rollback has undone yet. */
export function undoTarget(history: readonly DialChange[], route: string): DialChange | undefined {
  const undone = new Set<number>();
  for (let i = history.length - 1; i >= 0; i--) {
    const c = history[i]!;
    if (c.route !== route) continue;
    if (c.action === 'rollback') {
      if (c.undoes !== undefined) undone.add(c.undoes);
    } else if (!undone.has(c.version)) return c;
  }
  return undefined;
}

/** Undoes the route's latest change not undone yet (pure); an error when there is none. */
export function applyRollback(doc: StateDocument, route: string, defaults: Dial, who: string, at: Date): { doc: StateDocument; change: DialChange } {
  const target = undoTarget(doc.history, route);
  if (!target) {
    throw new StranglerError('STRANGLER_E_ROLLBACK_NONE', `route ${route} has no change to roll back`, {
      hint: `see its history: strangler routes history ${route}`,
      details: { route },
    });
  }
  const before = doc.dials[route] ?? defaults;
  const after = target.before;
  return commit(doc, { route, who, at: at.toISOString(), action: 'rollback', before, after, undoes: target.version });
}

export function routeHistory(doc: StateDocument, route: string, limit = 100): DialChange[] {
  const out: DialChange[] = [];
  for (let i = doc.history.length - 1; i >= 0 && out.length < limit; i--) {
    if (doc.history[i]!.route === route) out.push(doc.history[i]!);
  }
  return out;
}

export function unchanged(change: DialChange): boolean {
  return sameDial(change.before, change.after);
}

/** Checks a parsed state file enough to trust it (it may have been edited by hand). */
export function isStateDocument(v: unknown): v is StateDocument {
  if (v === null || typeof v !== 'object') return false;
  const d = v as Partial<StateDocument>;
  return Number.isInteger(d.version) && d.dials !== null && typeof d.dials === 'object' && Array.isArray(d.history) && (d.ramps === undefined || (typeof d.ramps === 'object' && d.ramps !== null)) && (d.guard === undefined || (typeof d.guard === 'object' && d.guard !== null));
}
