/**
 * The readiness gate as a running proxy judges it (GET /readiness, GET /routes/:name/readiness, the
 * console's verdicts): the diff records it wrote, the latency of its live traffic per route and
 * backend, and the migrators' checkpoint store for the data criterion — the same verdict JSON as
 * `strangler ready --json`, which adds the live figures when it asks a proxy (--admin).
 */
import { StranglerError } from '../../core/errors.js';
import { createReport } from '../../diffs/report/compute.js';
import { GATE_DEFAULTS, judgeReport, readinessJson, type GateEvidence, type GateSettings, type LiveLatency, type RouteReadiness } from '../../diffs/report/readiness.js';
import type { RouteStats } from '../metrics.js';
import type { StranglerProxy } from '../proxy-server.js';
import { bucketQuantile } from '../console/rates.js';
import type { ConsoleSources } from '../console/sources.js';
import { FOLLOW_STREAM } from '../../migrators/checkpoint/contract.js';
import { dataEvidence } from './data-evidence.js';

/** New's and legacy's answers on a route since the proxy started, from the histograms /metrics shows. */
export function liveLatency(stats: RouteStats): LiveLatency {
  const one = (b: 0 | 1) => ({ requests: stats.latency[b]!.count, p95Ms: bucketQuantile(stats.latency[b]!.counts, 0.95) });
  return { span: 'since the proxy started', legacy: one(0), new: one(1) };
}

/** What the gate judges besides the diff records: live latency of `routes`, and the checkpoint store's word on the data. */
export async function gateEvidence(proxy: StranglerProxy, sources: ConsoleSources, routes: readonly string[]): Promise<GateEvidence> {
  const live = new Map(routes.map((r) => [r, liveLatency(proxy.metrics.route(r))]));
  // No checkpoint store, or one that does not answer: the data criterion is not judged, and says why.
  if (!('read' in sources.migrations)) return { live, dataUnjudged: sources.migrations.unavailable };
  // The view says itself when the store cannot be read; follow's mark is then unknown as well.
  const [view, follow] = await Promise.all([sources.migrations.read(), sources.migrations.streamMark?.(FOLLOW_STREAM).catch(() => undefined)]);
  if (!view.configured) return { live, dataUnjudged: view.why };
  return { live, data: dataEvidence(view, follow, sources.migrations.label ?? 'the checkpoint store') };
}

export interface ReadinessQuery {
  /** Only these routes (default: every route with diff records or a shadow dial). */
  routes?: readonly string[];
  since?: Date;
  settings?: GateSettings;
}

export async function proxyReadiness(proxy: StranglerProxy, sources: ConsoleSources, q: ReadinessQuery = {}): Promise<{ ready: boolean; routes: RouteReadiness[] }> {
  const configs = new Map(proxy.compiledRoutes().map((c) => [c.name, c.config]));
  for (const r of q.routes ?? []) {
    if (!configs.has(r)) throw new StranglerError('STRANGLER_E_ROUTE_UNKNOWN', `no route named "${r}"`, { hint: 'GET /routes lists the names', details: { route: r } });
  }
  if ('unavailable' in sources.diffs) throw new StranglerError('STRANGLER_E_READINESS_UNAVAILABLE', `the readiness gate needs the diff records: ${sources.diffs.unavailable}`, { hint: 'set proxy.diffs.store: file (or redis) in the config' });
  const settings = q.settings ?? GATE_DEFAULTS;
  const expected = proxy.routes().filter((r) => r.dial.shadow > 0).map((r) => r.name);
  const acc = createReport({ ...(q.routes && q.routes.length > 0 ? { routes: [...q.routes] } : {}), ...(q.since ? { since: q.since } : {}), maxMismatchPct: settings.maxMismatchPct, minCompared: settings.minCompared, expectedRoutes: q.routes?.length ? [...q.routes] : expected });
  for await (const record of sources.diffs.records()) acc.add(record);
  const report = acc.finish();
  const evidence = await gateEvidence(proxy, sources, report.routes.map((r) => r.route));
  return readinessJson(judgeReport(report, configs, evidence, settings));
}
