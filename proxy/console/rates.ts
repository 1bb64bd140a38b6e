import { LATENCY_BUCKETS, type RouteStats } from '../metrics.js';

/**
 * Live rates for the console, read off the counters the proxy already keeps (metrics.ts): a timer
 * copies each route's few numbers every few seconds and the differences between two copies give
 * the rates and latency percentiles. Nothing is added to the request path; the timer runs only
 * while a console is looking (it stops after IDLE_MS without a reader).
 */
export interface RateFigures {
  /** Requests per second answered by this backend. */
  rps: number;
  /** Share of 5xx answers (proxy 502/504 included), 0..1; null without requests. */
  errorRate: number | null;
  /** Milliseconds, interpolated within the histogram bucket; null without requests. */
  p50: number | null;
  p95: number | null;
}

export interface BackendRates {
  /** Requests per second per sampling interval, oldest first: the sparkline. */
  spark: number[];
  /** Over the last minute (or what has been sampled of it). */
  lastMinute: RateFigures & { requests: number };
}

export interface RouteRates {
  route: string;
  /** The sampling interval of `spark`, ms. */
  intervalMs: number;
  legacy: BackendRates;
  new: BackendRates;
}

interface Copy {
  t: number;
  /** Per backend: responses by status class (5), then latency bucket counts. */
  backends: [Float64Array, Float64Array];
}

const CLASSES = 5;

function copyOf(stats: RouteStats, t: number): Copy {
  const one = (b: 0 | 1) => {
    const out = new Float64Array(CLASSES + LATENCY_BUCKETS.length + 1);
    out.set(stats.responses.subarray(b * CLASSES, b * CLASSES + CLASSES), 0);
    out.set(stats.latency[b]!.counts, CLASSES);
    return out;
  };
  return { t, backends: [one(0), one(1)] };
}

/** The q-quantile (0..1) of a bucket-count delta, in ms, interpolated linearly inside its bucket. */
export function bucketQuantile(counts: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0 && seen + c >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const hi = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : lo * 2;
      return Math.round((lo + ((rank - seen) / c) * (hi - lo)) * 1000 * 100) / 100;
    }
    seen += c;
  }
  return null;
}

/** Rates between two copies of one backend's numbers. Pure. */
export function between(from: Float64Array, to: Float64Array, seconds: number): RateFigures & { requests: number } {
  let requests = 0;
  for (let c = 0; c < CLASSES; c++) requests += to[c]! - from[c]!;
  const errors = to[4]! - from[4]!;
  const buckets = Array.from({ length: LATENCY_BUCKETS.length + 1 }, (_, i) => to[CLASSES + i]! - from[CLASSES + i]!);
  return {
    requests,
    rps: seconds > 0 ? Math.round((requests / seconds) * 100) / 100 : 0,
    errorRate: requests > 0 ? errors / requests : null,
    p50: bucketQuantile(buckets, 0.5),
    p95: bucketQuantile(buckets, 0.95),
  };
}

export interface RateSamplerOptions {
  /** The routes to follow and their counters. */
  stats: () => RouteStats[];
  intervalMs?: number;
  /** How much history is kept (and shown as a sparkline). */
  keepMs?: number;
  now?: () => number;
}

const IDLE_MS = 10 * 60_000;

interface Followed {
  copies: Copy[];
  /** rps per interval per backend, computed once when a copy is taken (a read only slices). */
  spark: [number[], number[]];
}

/** Requests counted in a copy's status classes. */
function requestsIn(c: Float64Array): number {
  let n = 0;
  for (let i = 0; i < CLASSES; i++) n += c[i]!;
  return n;
}

export class RateSampler {
  private readonly followed = new Map<string, Followed>();
  private timer: NodeJS.Timeout | undefined;
  private lastRead = 0;
  private readonly intervalMs: number;
  private readonly keep: number;
  private readonly now: () => number;

  constructor(private readonly options: RateSamplerOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.keep = Math.max(2, Math.ceil((options.keepMs ?? 5 * 60_000) / this.intervalMs) + 1);
    this.now = options.now ?? Date.now;
  }

  /** Takes one copy of every route's counters now. */
  sample(): void {
    const t = this.now();
    const live = new Set<string>();
    for (const s of this.options.stats()) {
      live.add(s.route);
      let f = this.followed.get(s.route);
      if (!f) this.followed.set(s.route, (f = { copies: [], spark: [[], []] }));
      const c = copyOf(s, t);
      const prev = f.copies[f.copies.length - 1];
      if (prev && t > prev.t) {
        for (const b of [0, 1] as const) {
          f.spark[b].push(Math.round(((requestsIn(c.backends[b]) - requestsIn(prev.backends[b])) / ((t - prev.t) / 1000)) * 100) / 100);
          if (f.spark[b].length > this.keep - 1) f.spark[b].shift();
        }
      }
      f.copies.push(c);
      if (f.copies.length > this.keep) f.copies.shift();
    }
    for (const name of this.followed.keys()) if (!live.has(name)) this.followed.delete(name);
    if (t - this.lastRead > IDLE_MS) this.stop();
  }

  /** The rates of every followed route; starts the timer when it is not running. */
  read(): RouteRates[] {
    this.lastRead = this.now();
    if (!this.timer) {
      this.sample();
      this.timer = setInterval(() => this.sample(), this.intervalMs);
      this.timer.unref();
    }
    const out: RouteRates[] = [];
    for (const [route, f] of this.followed) {
      const last = f.copies[f.copies.length - 1]!;
      const first = f.copies.find((c) => c.t >= last.t - 60_000) ?? last;
      const backend = (b: 0 | 1): BackendRates => ({ spark: f.spark[b].slice(), lastMinute: between(first.backends[b], last.backends[b], (last.t - first.t) / 1000) });
      out.push({ route, intervalMs: this.intervalMs, legacy: backend(0), new: backend(1) });
    }
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.followed.clear();
  }
}
