/**
 * A ramp as the state store keeps it: plain data, so that any replica (and a restarted proxy) can
 * carry it on. The decisions over it (when to step) are in proxy/ramp/; this file only stores.
 */
export interface RampState {
  /** The route or route group it turns. */
  target: string;
  /** The `new` percentages, in order. */
  steps: number[];
  /** How long each step holds (with a healthy guard window) before the next. */
  holdMs: number;
  /** Step only while the readiness gate passes as well. */
  requireReady: boolean;
  /** Index in steps of the dial reached; -1 before the first step. */
  step: number;
  /** ISO time the current step was reached (or the ramp started or resumed): the hold counts from here. */
  since: string;
  status: 'running' | 'paused' | 'done' | 'aborted' | 'halted';
  /** Who started it. */
  who: string;
  /** Why it stopped or waits (a guard rollback, an abort, a gate that fails), with the figures of that moment. */
  reason?: string;
  /** While it waits past its hold: what holds it, without figures (the guard window, the gate's failing criteria). */
  held?: string;
  /** Bumped on every write: the compare-and-set token of putRamp. */
  revision: number;
}

export interface RampDocument {
  version: number;
  ramps?: Record<string, RampState>;
}

/**
 * Writes a ramp into a document when the stored one has revision `ifRevision` (pure). The document's
 * version moves too, so that every replica's subscription sees the change.
 */
export function applyPutRamp<D extends RampDocument>(doc: D, target: string, ramp: RampState | undefined, ifRevision: number | undefined): D | undefined {
  const current = doc.ramps?.[target];
  if (current?.revision !== ifRevision) return undefined;
  const ramps = { ...doc.ramps };
  if (ramp === undefined) delete ramps[target];
  else ramps[target] = { ...ramp, revision: (current?.revision ?? 0) + 1 };
  return { ...doc, version: doc.version + 1, ramps };
}

export function isRampState(v: unknown): v is RampState {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Partial<RampState>;
  return typeof r.target === 'string' && Array.isArray(r.steps) && Number.isInteger(r.step) && typeof r.status === 'string' && Number.isInteger(r.revision);
}
