import { Registry, collectDefaultMetrics } from 'prom-client';
import type { BackendName } from '../config/proxy-schema.js';
import type { GuardWindow } from './guard/window.js';

/** Latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BACKENDS: readonly BackendName[] = ['legacy', 'new'];
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

class Histogram {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * One route's counters: plain numbers bumped on the hot path (prom-client's labelled inc() hashes
 * its labels on every call, which the proxy cannot afford per request); prom-client reads them
 * only when /metrics is scraped.
 */
export class RouteStats {
  /** [backend index × 5 + status class index]. */
  readonly responses = new Float64Array(BACKENDS.length * CLASSES.length);
  readonly latency = [new Histogram(), new Histogram()];
  readonly errors = new Map<string, number>();
  readonly fallbacks = new Map<string, number>();
  clientAborts = 0;
  /** Requests sent again after a pooled keep-alive connection turned out closed. */
  retries = 0;
  shadowCompared = 0;
  shadowDropped = 0;
  readonly shadowSkipped = new Map<string, number>();
  /** The guard's window over the new service's answers, when the route has a guard (set by the pilot). */
  guard: GuardWindow | undefined = undefined;

  constructor(readonly route: string) {}

  response(backend: BackendName, status: number, seconds: number): void {
    const b = backend === 'legacy' ? 0 : 1;
    const c = status >= 100 && status < 600 ? Math.floor(status / 100) - 1 : 4;
    this.responses[b * CLASSES.length + c]!++;
    this.latency[b]!.observe(seconds);
    if (b === 1 && this.guard !== undefined) this.guard.record(status, seconds);
  }

  error(backend: BackendName, code: string): void {
    bump(this.errors, `${backend}\u0000${code}`);
  }

  /** The new service failed a request and legacy answered it. */
  fallback(reason: string): void {
    bump(this.fallbacks, reason);
    this.guard?.fail();
  }

  shadowSkip(reason: string): void {
    bump(this.shadowSkipped, reason);
  }
}

interface Sample {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
}

/** A metric prom-client renders by calling get() at scrape time (its registry accepts any such object). */
function scrapedMetric(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: () => Sample[]) {
  return {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' as const }),
    reset: () => undefined,
  };
}

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly routes = new Map<string, RouteStats>();
  private dials: () => { route: string; new: number; shadow: number; fallback: boolean }[] = () => [];
  stateVersion = 0;
  private stateReachable: () => boolean = () => true;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'strangler_' });
    const all = () => [...this.routes.values()];
    const reg = (m: ReturnType<typeof scrapedMetric>) => this.registry.registerMetric(m as never);
    reg(
      scrapedMetric('strangler_proxy_responses_total', 'Responses per route, backend and status class (502/504 from the proxy included)', 'counter', () =>
        all().flatMap((s) =>
          BACKENDS.flatMap((backend, b) =>
            CLASSES.map((cls, c) => ({ labels: { route: s.route, backend, class: cls }, value: s.responses[b * CLASSES.length + c]! })),
          ).filter((v) => v.value > 0),
        ),
      ),
    );
    reg(
      scrapedMetric('strangler_proxy_request_duration_seconds', 'Time from request to the end of the response, per route and backend', 'histogram', () =>
        all().flatMap((s) =>
          BACKENDS.flatMap((backend, b) => {
            const h = s.latency[b]!;
            if (h.count === 0) return [];
            let cumulative = 0;
            const buckets = LATENCY_BUCKETS.map((le, i) => {
              cumulative += h.counts[i]!;
              return { metricName: 'strangler_proxy_request_duration_seconds_bucket', labels: { route: s.route, backend, le }, value: cumulative };
            });
            return [
              ...buckets,
              { metricName: 'strangler_proxy_request_duration_seconds_bucket', labels: { route: s.route, backend, le: '+Inf' }, value: h.count },
              { metricName: 'strangler_proxy_request_duration_seconds_sum', labels: { route: s.route, backend }, value: h.sum },
              { metricName: 'strangler_proxy_request_duration_seconds_count', labels: { route: s.route, backend }, value: h.count },
            ];
          }),
        ),
      ),
    );
    reg(
      scrapedMetric('strangler_proxy_errors_total', 'Requests the proxy could not forward, per route, backend and error code', 'counter', () =>
        all().flatMap((s) =>
          [...s.errors].map(([key, value]) => {
            const [backend, code] = key.split('\u0000');
            return { labels: { route: s.route, backend: backend!, code: code! }, value };
          }),
        ),
      ),
    );
    reg(
      scrapedMetric('strangler_proxy_fallbacks_total', 'Requests the new service failed and legacy answered, per route and reason', 'counter', () =>
        all().flatMap((s) => [...s.fallbacks].map(([reason, value]) => ({ labels: { route: s.route, reason }, value }))),
      ),
    );
    reg(
      scrapedMetric('strangler_proxy_client_aborts_total', 'Requests whose client went away before the response ended', 'counter', () =>
        all().filter((s) => s.clientAborts > 0).map((s) => ({ labels: { route: s.route }, value: s.clientAborts })),
      ),
    );
    reg(
      scrapedMetric('strangler_proxy_stale_connection_retries_total', 'Idempotent requests sent again because a pooled backend connection was closed under them', 'counter', () =>
        all().filter((s) => s.retries > 0).map((s) => ({ labels: { route: s.route }, value: s.retries })),
      ),
    );
    reg(
      scrapedMetric('strangler_shadow_pairs_total', 'Mirrored request pairs captured and handed to the diff sink', 'counter', () =>
        all().filter((s) => s.shadowCompared > 0).map((s) => ({ labels: { route: s.route }, value: s.shadowCompared })),
      ),
    );
    reg(
      scrapedMetric('strangler_shadow_dropped_total', 'Mirrored requests dropped because proxy.shadow.maxConcurrency were in flight', 'counter', () =>
        all().filter((s) => s.shadowDropped > 0).map((s) => ({ labels: { route: s.route }, value: s.shadowDropped })),
      ),
    );
    reg(
      scrapedMetric('strangler_shadow_skipped_total', 'Mirrored responses not captured for comparison, per reason', 'counter', () =>
        all().flatMap((s) => [...s.shadowSkipped].map(([reason, value]) => ({ labels: { route: s.route, reason }, value }))),
      ),
    );
    reg(
      scrapedMetric('strangler_route_dial', 'Current dials per route (new and shadow in %, fallback 0/1)', 'gauge', () =>
        this.dials().flatMap((d) => [
          { labels: { route: d.route, dial: 'new' }, value: d.new },
          { labels: { route: d.route, dial: 'shadow' }, value: d.shadow },
          { labels: { route: d.route, dial: 'fallback' }, value: d.fallback ? 1 : 0 },
        ]),
      ),
    );
    reg(scrapedMetric('strangler_state_version', 'Version of the dial state in use', 'gauge', () => [{ labels: {}, value: this.stateVersion }]));
    reg(
      scrapedMetric('strangler_state_store_up', 'Whether the dial state store is reachable (0: serving the last known dials, changes refused)', 'gauge', () => [
        { labels: {}, value: this.stateReachable() ? 1 : 0 },
      ]),
    );
  }

  /** The stats of a route, kept across config reloads (by name). */
  route(name: string): RouteStats {
    let s = this.routes.get(name);
    if (!s) {
      s = new RouteStats(name);
      this.routes.set(name, s);
    }
    return s;
  }

  onStateHealth(reachable: () => boolean): void {
    this.stateReachable = reachable;
  }

  onDials(source: () => { route: string; new: number; shadow: number; fallback: boolean }[]): void {
    this.dials = source;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Name under which requests that match no route are counted. */
export const UNMATCHED = '(unmatched)';
