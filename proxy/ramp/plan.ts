import { StranglerError } from '../../core/errors.js';
import type { RouteReadiness } from '../../diffs/report/readiness.js';
import type { RampState } from '../state/ramp-state.js';

/** The guard's verdict on a ramp's routes, worst member first. */
export type RampHealth = { state: 'healthy' } | { state: 'quiet' | 'breach' | 'unguarded'; reason: string };

/** The readiness gate's verdict on a ramp's routes, as one. */
export interface GateVerdict {
  ok: boolean;
  /** Each failing criterion with its figure: "users.get data: from the checkpoint store…; users not clean". */
  reason: string;
  /** Which criteria fail, without their figures (which move every second): "users.get data, users.get latency". */
  held: string;
}

/**
 * A wait, and (`held`) what holds the ramp once its hold is over, in words that stay the same while
 * the figures move: the guard window or the gate's failing criteria. The runner stores the reason
 * in the ramp each time `held` changes.
 */
export type RampAction = { kind: 'wait'; reason: string; held?: string } | { kind: 'step'; index: number; value: number; last: boolean };

/** The gate's verdicts on a ramp's routes (GET /routes/:name/readiness for each) as one: ready when every route is. */
export function gateVerdict(verdicts: readonly RouteReadiness[]): GateVerdict {
  const failing = verdicts.flatMap((v) => v.criteria.filter((c) => !c.ok).map((c) => ({ what: `${v.route} ${c.name}`, figure: c.figure })));
  if (verdicts.length === 0) return { ok: false, reason: 'no route judged', held: 'no route judged' };
  return { ok: failing.length === 0, reason: failing.map((f) => `${f.what}: ${f.figure}`).join('; '), held: failing.map((f) => f.what).join(', ') };
}

/**
 * What a running ramp does now (pure): its first step at once; each next one once the current step
 * has held for holdMs, the guard window is healthy and (with requireReady) the readiness gate passes.
 */
export function nextRampAction(ramp: RampState, nowMs: number, health: RampHealth, ready: GateVerdict | undefined): RampAction {
  if (ramp.status !== 'running') return { kind: 'wait', reason: ramp.status };
  const index = ramp.step + 1;
  if (index >= ramp.steps.length) return { kind: 'wait', reason: 'at its last step' };
  const step = { kind: 'step' as const, index, value: ramp.steps[index]!, last: index === ramp.steps.length - 1 };
  if (ramp.step < 0) return step;
  const held = nowMs - Date.parse(ramp.since);
  if (held < ramp.holdMs) return { kind: 'wait', reason: `holding ${ramp.steps[ramp.step]}% (${Math.floor(held / 1000)} s of ${Math.round(ramp.holdMs / 1000)} s)` };
  if (health.state !== 'healthy') return { kind: 'wait', reason: `waiting for a healthy guard window: ${health.reason}`, held: `the guard window (${health.state})` };
  if (ramp.requireReady && ready !== undefined && !ready.ok) return { kind: 'wait', reason: `waiting for the readiness gate: ${ready.reason}`, held: `the readiness gate: ${ready.held}` };
  return step;
}

/** Checks a ramp's steps and hold at the edge (the admin API and the CLI). */
export function checkRamp(steps: readonly number[], holdMs: number): void {
  const bad = (message: string) => new StranglerError('STRANGLER_E_RAMP_INVALID', message, { hint: 'e.g. strangler routes ramp users.get --steps 1,5,25,50,100 --hold 10m' });
  if (steps.length === 0 || steps.length > 50) throw bad(`a ramp takes 1 to 50 steps, got ${steps.length}`);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (!Number.isFinite(s) || s <= 0 || s > 100 || Math.abs(Math.round(s * 100) - s * 100) > 1e-6) throw bad(`step ${s} is not a percentage above 0 and at most 100 in steps of 0.01`);
    if (i > 0 && s <= steps[i - 1]!) throw bad(`steps must rise: ${steps[i - 1]} then ${s}`);
  }
  if (!Number.isFinite(holdMs) || holdMs < 1000) throw bad(`the hold must be at least 1 s, got ${holdMs} ms`);
}
