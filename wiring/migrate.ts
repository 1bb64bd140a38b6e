import type { Key } from '@google-cloud/datastore';
import { loadConfig, requireSection } from '../config/load.js';
import type { MigrateConfig } from '../config/migrate-schema.js';
import type { Config } from '../config/schema.js';
import { StranglerError } from '../core/errors.js';
import { createDatastoreCheckpointStore } from '../migrators/checkpoint/datastore.js';
import type { CheckpointStore } from '../migrators/checkpoint/contract.js';
import { createMemoryCheckpointStore } from '../migrators/checkpoint/memory.js';
import { checkCredentials, closeDatastore, createDatastore } from '../migrators/datastore/client.js';
import { createChangeTarget, type ChangeTarget } from '../migrators/datastore/change-target.js';
import { createDatastoreSink, type DatastoreSink } from '../migrators/datastore/sink.js';
import type { KeyPath } from '../migrators/mapping/types.js';
import { createMysqlSource, type MysqlSource } from '../migrators/mysql/source.js';
import { loadMappings } from '../migrators/plan/load-mappings.js';
import { prepareTable, type PreparedTable } from '../migrators/plan/prepared-table.js';

export interface MigrateContext {
  config: Config;
  migrate: MigrateConfig;
  source: MysqlSource;
  sink: DatastoreSink;
  store: CheckpointStore;
  tables: PreparedTable[];
  toKey: (path: KeyPath) => Key;
  /** What follow's onChange hooks write derived data through (not the client itself). */
  target: ChangeTarget;
  /** Retries so far, over both adapters (a run's checkpoint and summary report it). */
  retries: { count: number };
  close: () => Promise<void>;
}

export interface OpenOptions {
  /** --table values; default every table in migrate.tables. */
  tables?: readonly string[];
  /** Checkpoints in memory, so that nothing is written (--dry-run). */
  memoryCheckpoints?: boolean;
  env: NodeJS.ProcessEnv;
}

/** The selected tables; a name that is not configured is an error, before anything connects. */
export function selectTables(migrate: MigrateConfig, wanted: readonly string[] | undefined): string[] {
  const configured = Object.keys(migrate.tables);
  if (configured.length === 0) {
    throw new StranglerError('STRANGLER_E_MIGRATE_TABLE_NOT_CONFIGURED', 'migrate.tables is empty: nothing to do', {
      hint: 'add the tables to copy under migrate.tables (strangler migrate plan --write FILE proposes them)',
    });
  }
  if (!wanted || wanted.length === 0) return configured;
  for (const t of wanted) {
    if (!configured.includes(t)) {
      throw new StranglerError('STRANGLER_E_MIGRATE_TABLE_NOT_CONFIGURED', `--table ${t}: not in migrate.tables (configured: ${configured.join(', ')})`, {
        hint: 'add it under migrate.tables or pick a configured table',
      });
    }
  }
  return [...new Set(wanted)];
}

/**
 * The one place where run, status, verify and sync turn the config into adapters: the MySQL source
 * (checked with a ping), the mappings (schema introspected, config validated, refusals thrown), the
 * Datastore sink (checked with a quick query) and the checkpoint store. Every check happens before
 * anything is written, so bad input changes nothing.
 */
export async function openMigrate(file: string, options: OpenOptions): Promise<MigrateContext> {
  const config = loadConfig(file, options.env);
  const migrate = requireSection(config, 'migrate');
  const names = selectTables(migrate, options.tables);
  const retries = { count: 0 };
  const source = createMysqlSource(migrate.source, { onRetry: () => retries.count++ });
  const ds = createDatastore(migrate.target);
  const sink = createDatastoreSink(ds, migrate.target, { onRetry: () => retries.count++ });
  const close = async () => {
    await source.close().catch(() => undefined);
    await closeDatastore(ds);
  };
  try {
    await checkCredentials(ds, migrate.target);
    await source.ping();
    const loaded = await loadMappings(migrate, source.reader, { file: config.file, baseDir: config.baseDir, tables: names });
    const tables = loaded.map((l) => prepareTable(l.info, l.mapping));
    await sink.ping();
    const store = options.memoryCheckpoints ? createMemoryCheckpointStore() : createDatastoreCheckpointStore(ds, { onRetry: () => retries.count++ });
    const namespace = migrate.target.namespace || undefined;
    const toKey = (path: KeyPath) => ds.key({ path: path as never, namespace });
    return { config, migrate, source, sink, store, tables, retries, close, toKey, target: createChangeTarget(ds, toKey) };
  } catch (err) {
    await close();
    throw err;
  }
}
