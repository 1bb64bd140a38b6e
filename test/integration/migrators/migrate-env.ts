import type { Datastore, Key } from '@google-cloud/datastore';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { CHECKPOINT_KIND } from '../../../migrators/checkpoint/datastore.js';
import { createDatastore } from '../../../migrators/datastore/client.js';
import { createTestDatabase, testNamespace, TEST_PROJECT, type TestDatabase } from '../../support/services.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * One test file's world: its own database, namespace and config file, the CLI run in-process
 * against them, and a Datastore client to look at what landed.
 */
export interface MigrateEnv {
  db: TestDatabase;
  namespace: string;
  dir: string;
  configFile: string;
  deadLetterFile: string;
  ds: Datastore;
  writeConfig(tables: Record<string, unknown>, extra?: Record<string, unknown>): string;
  cli(...args: string[]): Promise<CliResult>;
  count(kind: string): Promise<number>;
  keys(kind: string): Promise<Key[]>;
  checkpoints(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function createMigrateEnv(prefix: string): Promise<MigrateEnv> {
  const db = await createTestDatabase(prefix);
  const namespace = testNamespace(prefix);
  const dir = mkdtempSync(path.join(os.tmpdir(), `strangler-${prefix}-`));
  const configFile = path.join(dir, 'strangler.yaml');
  const deadLetterFile = path.join(dir, 'dead-letters.jsonl');
  const ds = createDatastore({ projectId: TEST_PROJECT, namespace });
  const env: MigrateEnv = {
    db,
    namespace,
    dir,
    configFile,
    deadLetterFile,
    ds,
    writeConfig(tables, extra = {}) {
      const migrate = { source: db.url, target: { projectId: TEST_PROJECT, namespace }, deadLetters: './dead-letters.jsonl', tables, ...extra };
      writeFileSync(configFile, YAML.stringify({ migrate }));
      return configFile;
    },
    async cli(...args) {
      const io = bufferIo();
      const code = await runCli(args, io);
      return { code, out: io.out(), err: io.err() };
    },
    async count(kind) {
      const [res] = await ds.runAggregationQuery(ds.createAggregationQuery(ds.createQuery(kind)).count('n'));
      return Number((res as { n: number }[])[0]!.n);
    },
    async keys(kind) {
      const [rows] = await ds.runQuery(ds.createQuery(kind).select('__key__'));
      return (rows as Record<symbol, Key>[]).map((r) => r[ds.KEY]!);
    },
    async checkpoints() {
      const [rows] = await ds.runQuery(ds.createQuery(CHECKPOINT_KIND));
      return (rows as { body: string }[]).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    },
    async close() {
      await db.drop();
      await Promise.resolve(ds.clients_.get('DatastoreClient')?.close?.()).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** `n` rows of a plain table with an integer key and an updated_at the database maintains. */
export async function seedItems(db: TestDatabase, n: number, table = 'items'): Promise<void> {
  await db.pool.query(
    `CREATE TABLE ${table} (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, score INT NULL, note TEXT NULL,
      updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
  );
  for (let i = 0; i < n; i += 1000) {
    const rows: unknown[][] = [];
    for (let id = i + 1; id <= Math.min(n, i + 1000); id++) rows.push([id, `name ${id}`, id % 7 === 0 ? null : id * 3, id % 5 === 0 ? `note ${'x'.repeat(id % 50)}` : null]);
    await db.pool.query(`INSERT INTO ${table} (id, name, score, note) VALUES ?`, [rows]);
  }
}

export function fileExists(p: string): boolean {
  return existsSync(p);
}

/** The JSON lines a non-TTY run prints, parsed. */
export function events(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
