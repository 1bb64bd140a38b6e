/**
 * Where the diff commands read records: the config's diff file, or --file; flags checked here. They
 * only read, so the config is loaded without the admin token (STRANGLER_ADMIN_TOKEN may be unset).
 */
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { StranglerError } from '../core/errors.js';
import { readRecords, rotatedFiles, type ReadCounts } from '../diffs/jsonl-read.js';
import type { DiffStore } from '../diffs/store-contract.js';
import type { DiffRecord } from '../diffs/types.js';
import { diffFileFromConfig, openDiffStore } from '../wiring/diffs.js';

export interface SourceFlags {
  config?: string;
  file?: string;
}

export interface RecordSource {
  config?: Config;
  /** Files to read, oldest first. */
  files: string[];
  /** What to name in messages. */
  label: string;
  /** Read records here instead of files (proxy.diffs.store: redis, one stream for every replica). */
  store?: DiffStore;
}

/** Every record of a source, oldest first; a store is closed once read (or left). */
export async function* sourceRecords(source: RecordSource, counts: ReadCounts = { bad: 0 }): AsyncGenerator<DiffRecord> {
  if (!source.store) return yield* readRecords(source.files, counts);
  try {
    yield* source.store.records();
  } finally {
    await source.store.close();
  }
}

/** Rotated files kept besides --file are read too (FILE.1 … FILE.N), up to this many. */
const MAX_ROTATED = 1000;

export function recordSource(flags: SourceFlags, env: NodeJS.ProcessEnv): RecordSource {
  if (!flags.config && !flags.file) throw new InvalidArgumentError('pass -c FILE (the config) or --file PATH (a diffs JSONL file)');
  if (flags.file) {
    if (!existsSync(flags.file) || !statSync(flags.file).isFile()) {
      throw new StranglerError('STRANGLER_E_DIFFS_FILE', `${flags.file}: no such diff file`, { hint: 'pass the file the proxy writes (proxy.diffs.path)' });
    }
    const config = flags.config ? loadConfig(flags.config, env, { withoutAdminToken: true }) : undefined;
    return { ...(config ? { config } : {}), files: rotatedFiles(flags.file, MAX_ROTATED), label: flags.file };
  }
  const config = loadConfig(flags.config!, env, { withoutAdminToken: true });
  const d = config.proxy?.diffs;
  if (d?.store === 'redis') return { config, files: [], label: `the Redis stream ${d.key}`, store: openDiffStore(config) };
  const { path, maxFiles } = diffFileFromConfig(config);
  return { config, files: rotatedFiles(path, maxFiles), label: path };
}

