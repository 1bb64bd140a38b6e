/**
 * Wiring of the readiness gate: a config in, each route's checklist out (`strangler ready`, `diffs
 * report --gate`, the demo), with the data criterion read from the migrators' checkpoint store; and
 * the probe a proxy's ramps ask before each step with --require-ready.
 */
import type { Config } from '../config/schema.js';
import { readRecords, rotatedFiles } from '../diffs/jsonl-read.js';
import { createReport, type Report } from '../diffs/report/compute.js';
import { GATE_DEFAULTS, judgeReport, type DataEvidence, type GateEvidence, type GateSettings, type RouteReadiness } from '../diffs/report/readiness.js';
import type { DiffRecord } from '../diffs/types.js';
import { createDatastoreCheckpointStore } from '../migrators/checkpoint/datastore.js';
import { closeDatastore, createDatastore } from '../migrators/datastore/client.js';
import { migrationsView } from '../proxy/console/migrations-view.js';
import { dataEvidence, FOLLOW_STREAM } from '../proxy/readiness/data-evidence.js';
import type { ReadinessProbe } from '../proxy/ramp/runner.js';
import { checkpointStoreLabel } from './console-sources.js';
import { diffFileFromConfig, openDiffStore } from './diffs.js';

/** Each reported route's readiness under its config's slo and tables (a route not in the config: the defaults). */
export function gateReport(report: Report, config: Config | undefined, settings: GateSettings, evidence: GateEvidence, now = new Date()): RouteReadiness[] {
  return judgeReport(report, new Map((config?.proxy?.routes ?? []).map((r) => [r.name, r])), evidence, settings, now);
}

/**
 * The data criterion's evidence from the checkpoint store of the config's migrate.target: each
 * table's last `migrate verify` and its catch-up lag (undefined without a migrate section).
 */
export async function checkpointEvidence(config: Config, now = new Date()): Promise<DataEvidence | undefined> {
  const migrate = config.migrate;
  if (!migrate) return undefined;
  const ds = createDatastore(migrate.target);
  try {
    const store = createDatastoreCheckpointStore(ds);
    const [view, follow] = await Promise.all([migrationsView(store, Object.keys(migrate.tables), now), store.getStreamMark(FOLLOW_STREAM)]);
    return dataEvidence(view, follow, checkpointStoreLabel(migrate.target.projectId));
  } finally {
    await closeDatastore(ds);
  }
}

async function* records(config: Config): AsyncGenerator<DiffRecord> {
  if (config.proxy?.diffs.store === 'redis') {
    const store = openDiffStore(config);
    try {
      yield* store.records();
    } finally {
      await store.close();
    }
    return;
  }
  const { path, maxFiles } = diffFileFromConfig(config);
  yield* readRecords(rotatedFiles(path, maxFiles));
}

/**
 * Responses, latency and errors with `strangler ready`'s defaults, over the pairs of the last 24 h of
 * the ramp's routes. The data criterion is not asked at every step (it reads the checkpoint store):
 * run the gate itself before starting the ramp.
 */
export function readinessProbe(config: () => Config): ReadinessProbe {
  return async (target) => {
    const c = config();
    const routes = (c.proxy?.routes ?? []).filter((r) => r.name === target || r.group === target);
    const acc = createReport({ routes: routes.map((r) => r.name), since: new Date(Date.now() - 86_400_000), maxMismatchPct: GATE_DEFAULTS.maxMismatchPct, minCompared: GATE_DEFAULTS.minCompared });
    for await (const r of records(c)) acc.add(r);
    const failing: string[] = [];
    for (const v of gateReport(acc.finish(), c, GATE_DEFAULTS, {})) {
      for (const k of v.criteria) if (!k.ok && k.name !== 'data') failing.push(`${v.route} ${k.name}: ${k.figure}`);
    }
    return { ok: failing.length === 0, reason: failing.join('; ') };
  };
}
