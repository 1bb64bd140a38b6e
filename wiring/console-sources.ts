/**
 * Turns a loaded config into what the web console reads besides the proxy: the diff records the
 * proxy writes (proxy.diffs, when on disk) and the migrators' checkpoint store (migrate.target,
 * when the config has a migrate section). The proxy's start command hands these to startProxy.
 */
import { requireSection, resolveFromConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { describeCause } from '../core/errors.js';
import { readRecords, rotatedFiles } from '../diffs/jsonl-read.js';
import type { MigrateConfig } from '../config/migrate-schema.js';
import type { CheckpointStore } from '../migrators/checkpoint/contract.js';
import { createDatastoreCheckpointStore } from '../migrators/checkpoint/datastore.js';
import { closeDatastore, createDatastore, datastoreWhere } from '../migrators/datastore/client.js';
import { migrationsView } from '../proxy/console/migrations-view.js';
import type { ConsoleSources } from '../proxy/console/sources.js';
import { openDiffStore } from './diffs.js';

/** How the readiness gate names where its data criterion was read. */
export const checkpointStoreLabel = (projectId: string) => `the checkpoint store in ${projectId}`;

/** How long one read of the checkpoint store by the readiness gate or the console may take. */
export const CHECKPOINT_READ_DEADLINE_MS = 5000;

/**
 * The checkpoint store as the readiness gate and the console read it: each read bounded by
 * CHECKPOINT_READ_DEADLINE_MS (a dead Datastore is said at once instead of waited out for minutes),
 * and why a read failed, naming the emulator's address or the project.
 */
export function checkpointReader(target: MigrateConfig['target']): { store: CheckpointStore; close: () => Promise<void>; unreadable: (err: unknown) => string } {
  const ds = createDatastore(target);
  const where = datastoreWhere(target); // where the client was pointed when it was made
  return {
    store: createDatastoreCheckpointStore(ds, { readDeadlineMs: CHECKPOINT_READ_DEADLINE_MS }),
    close: () => closeDatastore(ds),
    unreadable: (err) => `cannot read the checkpoint store (Datastore ${where}, each read bounded to ${CHECKPOINT_READ_DEADLINE_MS / 1000} s): ${describeCause(err)}`,
  };
}

export function consoleSources(config: Config): { sources: ConsoleSources; close: () => Promise<void> } {
  const p = requireSection(config, 'proxy');
  let close = async () => undefined as void;
  let closeDiffs = async () => undefined as void;
  let diffs: ConsoleSources['diffs'];
  if (p.diffs.store === 'file') {
    const file = resolveFromConfig(config, p.diffs.path);
    diffs = { records: () => readRecords(rotatedFiles(file, p.diffs.maxFiles)), label: file };
  } else if (p.diffs.store === 'redis') {
    // Every replica's records, from the one stream (a reader connection of its own).
    const store = openDiffStore(config);
    diffs = { records: () => store.records(), label: `the Redis stream ${p.diffs.key}` };
    closeDiffs = () => store.close();
  } else {
    diffs = { unavailable: `proxy.diffs.store is "${p.diffs.store}": the records stay inside the proxy's shadow worker; set proxy.diffs.store: file to read them here` };
  }
  let migrations: ConsoleSources['migrations'];
  const migrate = config.migrate;
  if (!migrate) {
    migrations = { unavailable: `${config.file} has no migrate section: no checkpoint store to read migrations from` };
  } else {
    const reader = checkpointReader(migrate.target);
    const tables = Object.keys(migrate.tables);
    migrations = {
      read: () => migrationsView(reader.store, tables).catch((err: unknown) => ({ configured: false as const, why: reader.unreadable(err) })),
      streamMark: (stream) => reader.store.getStreamMark(stream),
      label: checkpointStoreLabel(migrate.target.projectId),
    };
    close = reader.close;
  }
  return {
    sources: { diffs, migrations },
    close: async () => {
      await Promise.all([close(), closeDiffs()]);
    },
  };
}
