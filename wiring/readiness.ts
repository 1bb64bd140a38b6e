/**
 * Wiring of the readiness gate: a config in, each route's checklist out (`strangler ready`, `diffs
 * report --gate`, the demo), with the data criterion read from the migrators' checkpoint store. A
 * running proxy judges the same gate itself (proxy/readiness/), for its admin API and its ramps.
 */
import type { Config } from '../config/schema.js';
import { StranglerError } from '../core/errors.js';
import type { Report } from '../diffs/report/compute.js';
import { judgeReport, type DataEvidence, type GateEvidence, type GateSettings, type RouteReadiness } from '../diffs/report/readiness.js';
import { migrationsView } from '../proxy/console/migrations-view.js';
import { dataEvidence, FOLLOW_STREAM } from '../proxy/readiness/data-evidence.js';
import { checkpointReader, checkpointStoreLabel } from './console-sources.js';

/** Each reported route's readiness under its config's slo and tables (a route not in the config: the defaults). */
export function gateReport(report: Report, config: Config | undefined, settings: GateSettings, evidence: GateEvidence, now = new Date()): RouteReadiness[] {
  return judgeReport(report, new Map((config?.proxy?.routes ?? []).map((r) => [r.name, r])), evidence, settings, now);
}

/**
 * The data criterion's evidence from the checkpoint store of the config's migrate.target: each
 * table's last `migrate verify` and its catch-up lag (undefined without a migrate section). A store
 * that does not answer within the reader's deadline is STRANGLER_E_READINESS_UNAVAILABLE.
 */
export async function checkpointEvidence(config: Config, now = new Date()): Promise<DataEvidence | undefined> {
  const migrate = config.migrate;
  if (!migrate) return undefined;
  const reader = checkpointReader(migrate.target);
  try {
    const [view, follow] = await Promise.all([migrationsView(reader.store, Object.keys(migrate.tables), now), reader.store.getStreamMark(FOLLOW_STREAM)]);
    return dataEvidence(view, follow, checkpointStoreLabel(migrate.target.projectId));
  } catch (err) {
    throw new StranglerError('STRANGLER_E_READINESS_UNAVAILABLE', `the readiness gate's data criterion: ${reader.unreadable(err)}`, {
      cause: err,
      hint: `start the Datastore emulator or fix DATASTORE_EMULATOR_HOST / migrate.target in ${config.file}, or pass --verify-report FILE from strangler migrate verify --report`,
    });
  } finally {
    await reader.close();
  }
}
