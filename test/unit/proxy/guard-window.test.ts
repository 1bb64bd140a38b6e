import { badSecond, evaluateGuard, rollbackTarget } from '../../../proxy/guard/evaluate.js';
import { GuardWindow } from '../../../proxy/guard/window.js';
import { checkRamp, nextRampAction } from '../../../proxy/ramp/plan.js';
import type { RampState } from '../../../proxy/state/ramp-state.js';

const g = { maxErrorRate: 5, maxP95Ms: 500, windowSeconds: 3, minRequests: 10 };

describe('guard window', () => {
  it('slides: a second older than the window is forgotten', () => {
    const w = new GuardWindow(3);
    for (let i = 0; i < 10; i++) w.record(500, 0.01);
    expect(w.lastSecond()).toEqual({ requests: 10, failures: 10 });
    expect(w.summary()).toMatchObject({ requests: 10, failures: 10 });
    w.tick();
    for (let i = 0; i < 5; i++) w.record(200, 0.01);
    w.tick();
    expect(w.summary()).toMatchObject({ requests: 15, failures: 10 });
    w.tick(); // the failing second leaves the 3-second window
    expect(w.summary()).toMatchObject({ requests: 5, failures: 0 });
  });

  it('reads the p95 within 10%, and counts fallbacks as failures without a time', () => {
    const w = new GuardWindow(5);
    for (let i = 0; i < 94; i++) w.record(200, 0.02);
    for (let i = 0; i < 6; i++) w.record(200, 0.8);
    w.fail();
    const s = w.summary();
    expect(s.requests).toBe(101);
    expect(s.failures).toBe(1);
    expect(s.p95Ms).toBeGreaterThanOrEqual(800);
    expect(s.p95Ms).toBeLessThan(880);
    w.reset();
    expect(w.summary()).toMatchObject({ requests: 0, p95Ms: undefined });
  });
});

describe('guard verdicts', () => {
  it('decides nothing below minRequests, then judges error rate and p95', () => {
    expect(evaluateGuard({ seconds: 3, requests: 9, failures: 9, p95Ms: 10 }, g).state).toBe('quiet');
    expect(evaluateGuard({ seconds: 3, requests: 100, failures: 5, p95Ms: 499 }, g).state).toBe('healthy');
    expect(evaluateGuard({ seconds: 3, requests: 100, failures: 6, p95Ms: 10 }, g)).toEqual({ state: 'breach', reason: "new's error rate 6% > 5% over the last 3 s (6 of 100 answers failed)" });
    expect(evaluateGuard({ seconds: 3, requests: 100, failures: 0, p95Ms: 600 }, g)).toEqual({ state: 'breach', reason: "new's p95 600 ms > 500 ms over the last 3 s (100 answers)" });
    expect(badSecond(10, 1, g)).toBe(true);
    expect(badSecond(0, 0, g)).toBe(false);
  });

  it('rolls back to the highest healthy dial below the current one, or 0', () => {
    expect(rollbackTarget(50, [1, 5, 25, 50])).toBe(25);
    expect(rollbackTarget(25, [25, 50])).toBe(0);
    expect(rollbackTarget(10, [])).toBe(0);
  });
});

describe('ramp plan', () => {
  const ramp: RampState = { target: 'a', steps: [1, 25, 100], holdMs: 60_000, requireReady: true, step: -1, since: new Date(0).toISOString(), status: 'running', who: 'x', revision: 1 };
  const healthy = { state: 'healthy' as const };
  it('takes the first step at once, then each after its hold with a healthy window (and a passing gate)', () => {
    expect(nextRampAction(ramp, 0, { state: 'quiet', reason: 'q' }, undefined)).toEqual({ kind: 'step', index: 0, value: 1, last: false });
    const at1 = { ...ramp, step: 0 };
    expect(nextRampAction(at1, 59_000, healthy, { ok: true, reason: '', held: '' })).toMatchObject({ kind: 'wait', reason: 'holding 1% (59 s of 60 s)' });
    expect(nextRampAction(at1, 60_000, { state: 'quiet', reason: 'too few' }, undefined)).toEqual({ kind: 'wait', reason: 'waiting for a healthy guard window: too few', held: 'the guard window (quiet)' });
    const latency = { ok: false, reason: 'a latency: live: new p95 900 ms (≤ 500 ms budget)', held: 'a latency' };
    expect(nextRampAction(at1, 60_000, healthy, latency)).toEqual({ kind: 'wait', reason: 'waiting for the readiness gate: a latency: live: new p95 900 ms (≤ 500 ms budget)', held: 'the readiness gate: a latency' });
    expect(nextRampAction(at1, 60_000, healthy, { ok: true, reason: '', held: '' })).toEqual({ kind: 'step', index: 1, value: 25, last: false });
    expect(nextRampAction({ ...ramp, step: 1 }, 60_000, healthy, undefined)).toEqual({ kind: 'step', index: 2, value: 100, last: true });
    expect(nextRampAction({ ...ramp, status: 'paused' }, 60_000, healthy, undefined).kind).toBe('wait');
  });

  it('refuses steps that do not rise and holds under 1 s', () => {
    expect(() => checkRamp([1, 5, 25], 1000)).not.toThrow();
    expect(() => checkRamp([5, 5], 1000)).toThrow(/steps must rise/);
    expect(() => checkRamp([0, 5], 1000)).toThrow(/above 0/);
    expect(() => checkRamp([101], 1000)).toThrow(/at most 100/);
    expect(() => checkRamp([5], 999)).toThrow(/at least 1 s/);
    expect(() => checkRamp([], 1000)).toThrow(/1 to 50 steps/);
  });
});
