import type { WindowSummary } from './window.js';

/** `routes[].guard`, resolved. */
export interface GuardSettings {
  /** Highest share of the new service's answers that may fail (5xx, timeout, reset), in %. */
  maxErrorRate: number;
  /** Highest p95 of the new service's answers, in ms. */
  maxP95Ms: number;
  /** The sliding window, in seconds. */
  windowSeconds: number;
  /** Fewer answers than this in the window decide nothing. */
  minRequests: number;
}

export type GuardVerdict = { state: 'quiet'; reason: string } | { state: 'healthy' } | { state: 'breach'; reason: string };

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Whether a window of the new service's answers breaches the guard (pure). */
export function evaluateGuard(w: WindowSummary, g: GuardSettings): GuardVerdict {
  if (w.requests < g.minRequests) return { state: 'quiet', reason: `${w.requests} answer(s) in ${w.seconds} s, fewer than minRequests ${g.minRequests}` };
  const rate = (w.failures / w.requests) * 100;
  if (rate > g.maxErrorRate) {
    return { state: 'breach', reason: `new's error rate ${fmt(rate)}% > ${fmt(g.maxErrorRate)}% over the last ${w.seconds} s (${w.failures} of ${w.requests} answers failed)` };
  }
  if (w.p95Ms !== undefined && w.p95Ms > g.maxP95Ms) {
    return { state: 'breach', reason: `new's p95 ${Math.round(w.p95Ms)} ms > ${g.maxP95Ms} ms over the last ${w.seconds} s (${w.requests} answers)` };
  }
  return { state: 'healthy' };
}

/** Whether one second on its own looks bad (to date a breach's start by the window clock). */
export function badSecond(requests: number, failures: number, g: GuardSettings): boolean {
  return requests > 0 && (failures / requests) * 100 > g.maxErrorRate;
}

/**
 * Where a rollback turns `new` to: the highest dial below the current one at which a full window was
 * healthy, or 0.
 */
export function rollbackTarget(current: number, healthy: Iterable<number>): number {
  let best = 0;
  for (const h of healthy) if (h < current && h > best) best = h;
  return best;
}
