import type { CompiledRoute } from '../route-table.js';
import type { GuardMemory } from '../state/contract.js';
import type { ProxyMetrics } from '../metrics.js';
import { badSecond, evaluateGuard, rollbackTarget, type GuardSettings, type GuardVerdict } from './evaluate.js';
import { GuardWindow } from './window.js';

export function guardSettingsOf(route: CompiledRoute): GuardSettings | undefined {
  const g = route.config.guard;
  return g === undefined ? undefined : { maxErrorRate: g.maxErrorRate, maxP95Ms: g.maxP95Ms, windowSeconds: g.window, minRequests: g.minRequests };
}

/** What the guard keeps per route between ticks. */
interface Track {
  /** The `new` dial the window describes. */
  dial: number;
  /** Ticks since the dial last moved. */
  ticksAtDial: number;
  /** Dials at which a full window was healthy: where a rollback may go back to. */
  healthy: Set<number>;
  /** The tick of the first bad second of the current run of bad seconds. */
  firstBad: number | undefined;
  verdict: GuardVerdict;
}

export interface Breach {
  route: CompiledRoute;
  reason: string;
  /** The `new` dial to turn back to. */
  target: number;
  /** Seconds of the window clock from the first bad second to this decision (inclusive). */
  breachSeconds: number | undefined;
}

/** One route's guard state as the admin API shows it. */
export interface GuardStatus {
  route: string;
  dial: number;
  verdict: GuardVerdict;
  requests: number;
  failures: number;
  p95Ms: number | undefined;
  healthyDials: number[];
}

/**
 * The guard's bookkeeping, run once per tick of the window clock: it keeps each guarded route's
 * window in its RouteStats (where the request path records into it), forgets a window whose dial
 * moved, remembers the dials that were healthy for a full window, and reports breaches. Acting on a
 * breach (the audited rollback) is the pilot's.
 */
export class Guard {
  private readonly tracks = new Map<string, Track>();
  private tickNo = 0;

  constructor(private readonly metrics: ProxyMetrics) {}

  /**
   * @param memory what the state store remembers of each route (guard-memory.ts): dials found
   * healthy before, by this process before a restart or by another replica, count here too.
   */
  tick(routes: readonly CompiledRoute[], memory: Readonly<Record<string, GuardMemory>> = {}): Breach[] {
    this.tickNo++;
    const breaches: Breach[] = [];
    const seen = new Set<string>();
    for (const route of routes) {
      const stats = this.metrics.route(route.name);
      const g = guardSettingsOf(route);
      if (g === undefined) {
        stats.guard = undefined;
        continue;
      }
      seen.add(route.name);
      if (stats.guard?.seconds !== g.windowSeconds) stats.guard = new GuardWindow(g.windowSeconds);
      const w = stats.guard;
      let t = this.tracks.get(route.name);
      if (t === undefined) {
        t = { dial: route.dial.new, ticksAtDial: 0, healthy: new Set(), firstBad: undefined, verdict: { state: 'quiet', reason: 'no window yet' } };
        this.tracks.set(route.name, t);
      }
      for (const h of memory[route.name]?.healthy ?? []) t.healthy.add(h);
      if (route.dial.new !== t.dial) {
        t.dial = route.dial.new;
        t.ticksAtDial = 0;
        t.firstBad = undefined;
        w.reset();
      } else t.ticksAtDial++;
      const last = w.lastSecond();
      if (badSecond(last.requests, last.failures, g)) t.firstBad ??= this.tickNo;
      else if (last.requests > 0) t.firstBad = undefined;
      t.verdict = evaluateGuard(w.summary(), g);
      w.tick();
      if (t.verdict.state === 'healthy' && t.ticksAtDial >= g.windowSeconds) t.healthy.add(t.dial);
      if (t.verdict.state === 'breach' && t.dial > 0) {
        breaches.push({
          route,
          reason: t.verdict.reason,
          target: rollbackTarget(t.dial, t.healthy),
          breachSeconds: t.firstBad === undefined ? undefined : this.tickNo - t.firstBad + 1,
        });
      }
    }
    for (const name of this.tracks.keys()) if (!seen.has(name)) this.tracks.delete(name);
    return breaches;
  }

  /** Routes whose healthy dials the store does not hold yet, with all of them (for the pilot to store). */
  toRemember(memory: Readonly<Record<string, GuardMemory>>): { route: string; healthy: number[] }[] {
    const out: { route: string; healthy: number[] }[] = [];
    for (const [route, t] of this.tracks) {
      const known = new Set(memory[route]?.healthy ?? []);
      if ([...t.healthy].some((h) => !known.has(h))) out.push({ route, healthy: [...t.healthy].sort((a, b) => a - b) });
    }
    return out;
  }

  /** The last verdict on a route (undefined when it has no guard). */
  verdict(route: string): GuardVerdict | undefined {
    return this.tracks.get(route)?.verdict;
  }

  status(routes: readonly CompiledRoute[]): GuardStatus[] {
    const out: GuardStatus[] = [];
    for (const r of routes) {
      const t = this.tracks.get(r.name);
      const w = this.metrics.route(r.name).guard;
      if (t === undefined || w === undefined) continue;
      const s = w.summary();
      out.push({ route: r.name, dial: t.dial, verdict: t.verdict, requests: s.requests, failures: s.failures, p95Ms: s.p95Ms, healthyDials: [...t.healthy].sort((a, b) => a - b) });
    }
    return out;
  }
}
