/**
 * An open-loop load at a fixed rate, for latency "at the same offered load".
 *
 * autocannon's rate option is not one: each connection runs flat out until it has made its share of
 * the second, then waits for the next second (lib/httpClient.js, reqsMadeThisSecond), so "30% of
 * capacity" is saturation for ~300 ms of every second, and its p99 is the saturated p99. Here a
 * request is due every 1/rate s whatever happened to the ones before (wrk2's model): it is sent on
 * the first free keep-alive connection (undici's pool queues it when all are busy), and its latency
 * runs from when it was due, not from when it went out, so that a stalled proxy cannot hide its
 * stall by delaying the requests that would have measured it (coordinated omission).
 */
import { Pool, type Dispatcher } from 'undici';

export interface PacedResult {
  /** Responses per second over the run. */
  rps: number;
  /** Latency percentiles in ms, from when each request was due. */
  p50: number;
  p99: number;
  max: number;
  /** Transport errors and non-2xx answers. */
  errors: number;
  /** Requests measured (due after the warm-up). */
  measured: number;
  /** Requests sent in all, the warm-up's included (what the target's CPU was spent on). */
  sent: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Sends GET url at `rate` requests/s for `warmup` + `duration` s over at most `connections`
 * connections; only the last `duration` s are measured. The warm-up (default 1 s) opens the
 * connections and takes the first requests on them: at a new pool's start, a burst of slower answers
 * the length of a p99's share of a run is the rule, and it would be all the p99 showed.
 */
export async function pacedLoad(url: string, options: { rate: number; duration: number; connections: number; warmup?: number; headers?: Record<string, string> }): Promise<PacedResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const skip = Math.round(options.rate * (options.warmup ?? 1));
  const measured = Math.round(options.rate * options.duration);
  const total = skip + measured;
  const latencies = new Float64Array(measured);
  const interval = 1000 / options.rate;
  const path = target.pathname + target.search;
  let done = 0;
  let errors = 0;
  let sent = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const complete = (i: number, due: number, ok: boolean) => {
    if (i >= skip) {
      latencies[i - skip] = performance.now() - due;
      if (!ok) errors++;
    }
    if (++done === total) finish();
  };

  const send = (i: number, due: number) => {
    let status = 0;
    // The raw dispatch API: no promise or stream per request, so the generator itself stays cheap.
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        complete(i, due, status >= 200 && status < 300);
      },
      onResponseError() {
        complete(i, due, false);
      },
    };
    pool.dispatch({ origin: target.origin, path, method: 'GET', headers: options.headers }, handler);
  };

  const start = performance.now();
  const measureStart = start + skip * interval;
  const tick = () => {
    const now = performance.now();
    // Everything due by now goes out now: a late timer sends a burst, and the latency of each
    // request still runs from when it was due.
    while (sent < total && start + sent * interval <= now) {
      send(sent, start + sent * interval);
      sent++;
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
  };
  tick();
  // A request the pool never settles (it should not happen: both timeouts are set) must not hang the bench.
  const guard = setTimeout(() => {
    errors += total - done;
    finish();
  }, ((options.warmup ?? 1) + options.duration) * 1000 + 15_000);
  await finished;
  clearTimeout(guard);
  const elapsed = (performance.now() - measureStart) / 1000;
  await pool.close();
  latencies.sort();
  return { rps: measured / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies[measured - 1] ?? 0, errors, measured, sent };
}
