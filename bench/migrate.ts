/**
 * Migration benchmark: in one run, against a private MariaDB and Firestore emulator (or MYSQL_URL /
 * DATASTORE_EMULATOR_HOST), on the same table:
 *   - ceiling:  the emulator's own ingest rate: pre-built entities, upserted with the same batch size
 *               and concurrency as the copy, no MySQL;
 *   - copy:     `strangler migrate run` (the real CLI in a child process), rows/s and peak RSS;
 *   - verify:   `strangler migrate verify` on that copy, rows/s;
 *   - naive:    a row-at-a-time copy (SELECT one row, map it, upsert it, next), on a slice.
 * Prints the ratios the product promises: copy ≥ 0.8× ceiling, ≥ 5× row-at-a-time, verify ≥ 0.8×
 * copy, peak RSS < 300 MB and flat with size.
 *
 *   npx tsx bench/migrate.ts [--rows 100000] [--million] [--batch-size 500] [--concurrency 8]
 *
 * --million adds a copy of 1,000,000 rows for the memory figure (long: minutes). The emulator is
 * restarted before the ceiling and before the copy when the bench started it, so that neither pays
 * for the other's data.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Datastore } from '@google-cloud/datastore';
import mysql from 'mysql2/promise';
import pLimit from 'p-limit';
import YAML from 'yaml';
import { splitIntoCommits } from '../migrators/copy/batcher.js';
import { createDatastore } from '../migrators/datastore/client.js';
import { mapRow } from '../migrators/mapping/map-row.js';
import { LOSSLESS } from '../migrators/mysql/connect.js';
import { loadMappings } from '../migrators/plan/load-mappings.js';
import { startDatastoreEmulator, type DatastoreEmulator } from '../local-servers/datastore-emulator.js';
import { freePort } from '../local-servers/free-port.js';
import { startMysql } from '../local-servers/mariadb.js';
import { parseConfig } from '../config/load.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    million: { type: 'boolean', default: false },
    'batch-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    'naive-rows': { type: 'string', default: '1000' },
  },
});
const ROWS = Number(args.rows);
const BATCH = Number(args['batch-size']);
const CONCURRENCY = Number(args.concurrency);
const NAIVE_ROWS = Math.min(Number(args['naive-rows']), ROWS);
const ROOT = path.resolve(import.meta.dirname, '..');
const PROJECT = 'strangler-bench';

const log = (s: string) => process.stderr.write(`${s}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// --- services ------------------------------------------------------------------------------------
const mysqlServer = await startMysql();
const externalEmulator = !!process.env.DATASTORE_EMULATOR_HOST;
const emulatorPort = externalEmulator ? 0 : await freePort();
let emulator: DatastoreEmulator = await startDatastoreEmulator(process.env, externalEmulator ? {} : { port: emulatorPort });
process.env.DATASTORE_EMULATOR_HOST = emulator.host;

/** A fresh, empty emulator on the same port (only when the bench owns it). */
async function freshEmulator(): Promise<void> {
  if (externalEmulator) return;
  await emulator.stop();
  emulator = await startDatastoreEmulator({}, { port: emulatorPort });
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'strangler-bench-'));
const admin = await mysql.createConnection({ uri: mysqlServer.url, multipleStatements: true });

async function seed(table: string, rows: number): Promise<string> {
  const db = `bench_${table}`;
  await admin.query(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db} CHARACTER SET utf8mb4;`);
  await admin.query(
    `CREATE TABLE ${db}.items (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL, email VARCHAR(128) NOT NULL,
       score INT NULL, amount DECIMAL(12,2) NOT NULL, active TINYINT(1) NOT NULL, created DATETIME(6) NOT NULL,
       bio TEXT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
  );
  // Server-side generation from MariaDB's sequence engine (seq_1_to_N): a million rows in seconds.
  const step = 50_000;
  for (let lo = 1; lo <= rows; lo += step) {
    const hi = Math.min(rows, lo + step - 1);
    await admin.query(
      `INSERT INTO ${db}.items (id, name, email, score, amount, active, created, bio)
       SELECT seq, CONCAT('user ', seq), CONCAT('user', seq, '@example.com'), IF(seq % 7 = 0, NULL, seq * 3),
              (seq % 100000) / 100, seq % 2, TIMESTAMP('2020-01-01') + INTERVAL seq SECOND,
              IF(seq % 3 = 0, REPEAT('lorem ipsum ', 1 + seq % 30), NULL)
         FROM ${db}.seq_${lo}_to_${hi}`,
    );
  }
  const url = new URL(mysqlServer.url);
  url.pathname = `/${db}`;
  return url.toString();
}

function writeConfig(name: string, source: string, namespace: string): string {
  const file = path.join(workDir, `${name}.yaml`);
  writeFileSync(file, YAML.stringify({ migrate: { source, target: { projectId: PROJECT, namespace }, deadLetters: `./${name}-dead.jsonl`, tables: { items: { kind: 'Item' } } } }));
  return file;
}

/**
 * The CLI as shipped (dist/, built here) so RSS is not inflated by tsx's compiler; if the build
 * fails (work in progress elsewhere in the tree), through tsx, and the figures say so.
 */
function buildCli(): Promise<string[]> {
  return new Promise((resolve) => {
    const tsc = spawn(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
    tsc.on('exit', (code) => resolve(code === 0 ? ['dist/cli/main.js'] : ['--import', 'tsx', 'cli/main.ts']));
    tsc.on('error', () => resolve(['--import', 'tsx', 'cli/main.ts']));
  });
}
const CLI = await buildCli();

/** Runs the real CLI in a child process, sampling its RSS from /proc every 50 ms. */
function cli(argv: string[]): Promise<{ code: number | null; out: string; err: string; peakRssMb: number; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...CLI, ...argv], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const sample = setInterval(() => {
      try {
        const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        peak = Math.max(peak, kb);
      } catch {
        /* exited */
      }
    }, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      resolve({ code, out, err, peakRssMb: peak / 1024, wallMs: performance.now() - started });
    });
  });
}

async function copy(configFile: string, rows: number): Promise<{ rowsPerSec: number; peakRssMb: number }> {
  const r = await cli(['migrate', 'run', '-c', configFile, '--batch-size', String(BATCH), '--concurrency', String(CONCURRENCY)]);
  if (r.code !== 0) throw new Error(`migrate run failed (${r.code}): ${r.err}`);
  const summary = r.out
    .split('\n')
    .filter((l) => l.includes('"event":"summary"'))
    .map((l) => JSON.parse(l) as { tables: { copied: number; ms: number }[] })[0]!;
  const t = summary.tables[0]!;
  if (t.copied !== rows) throw new Error(`copied ${t.copied} of ${rows} rows`);
  return { rowsPerSec: (t.copied / t.ms) * 1000, peakRssMb: r.peakRssMb };
}

function closeDs(ds: Datastore): Promise<unknown> {
  return Promise.resolve(ds.clients_.get('DatastoreClient')?.close?.()).catch(() => undefined);
}

try {
  log(`seeding ${fmt(ROWS)} rows…`);
  const source = await seed('main', ROWS);

  // --- ceiling: pre-built entities, same batch size and concurrency, no MySQL ---------------------
  await freshEmulator();
  const ceilingConfig = parseConfig(readFileSync(writeConfig('ceiling', source, 'ceiling'), 'utf8'), path.join(workDir, 'ceiling.yaml'));
  const pool = mysql.createPool({ uri: source, ...LOSSLESS, connectionLimit: 2 });
  const [loaded] = await loadMappings(ceilingConfig.migrate!, pool, { file: 'ceiling.yaml', baseDir: workDir });
  const [rows] = await pool.query('SELECT * FROM items ORDER BY id');
  const ds = createDatastore({ projectId: PROJECT, namespace: 'ceiling' });
  const entities = (rows as Record<string, unknown>[]).map((row) => {
    const m = mapRow(loaded!.mapping, row);
    if (!m.ok) throw new Error(m.reason);
    return { key: ds.key(m.key as never), data: m.data, excludeFromIndexes: m.excludeFromIndexes, method: 'upsert' as const, approxBytes: m.approxBytes };
  });
  log('ceiling: upserting pre-built entities…');
  const limit = pLimit(CONCURRENCY);
  let t0 = performance.now();
  await Promise.all(splitIntoCommits(entities, BATCH).map((b) => limit(() => ds.save(b.map(({ approxBytes: _, ...e }) => e)))));
  const ceiling = (entities.length / (performance.now() - t0)) * 1000;
  entities.length = 0;
  await closeDs(ds);

  // --- copy with the real CLI, then verify it -----------------------------------------------------
  await freshEmulator();
  log('copy: strangler migrate run…');
  const copyConfig = writeConfig('copy', source, 'copy');
  const copied = await copy(copyConfig, ROWS);
  log('verify: strangler migrate verify…');
  const v = await cli(['migrate', 'verify', '-c', copyConfig, '--json', '--concurrency', String(CONCURRENCY)]);
  if (v.code !== 0) throw new Error(`verify failed (${v.code}): ${v.err}`);
  const verifyTable = (JSON.parse(v.out) as { tables: { rowsCompared: number; ms: number }[] }).tables[0]!;
  const verify = (verifyTable.rowsCompared / verifyTable.ms) * 1000;

  // --- row at a time ------------------------------------------------------------------------------
  log(`naive: row-at-a-time copy of ${fmt(NAIVE_ROWS)} rows…`);
  const naiveDs = createDatastore({ projectId: PROJECT, namespace: 'naive' });
  t0 = performance.now();
  for (let id = 1; id <= NAIVE_ROWS; id++) {
    const [one] = await pool.query('SELECT * FROM items WHERE id = ?', [id]);
    const m = mapRow(loaded!.mapping, (one as Record<string, unknown>[])[0]!);
    if (!m.ok) throw new Error(m.reason);
    await naiveDs.upsert({ key: naiveDs.key(m.key as never), data: m.data, excludeFromIndexes: m.excludeFromIndexes });
  }
  const naive = (NAIVE_ROWS / (performance.now() - t0)) * 1000;
  await closeDs(naiveDs);
  await pool.end();

  // --- 1M rows for the memory figure --------------------------------------------------------------
  let million: { rowsPerSec: number; peakRssMb: number } | undefined;
  if (args.million) {
    log('seeding 1,000,000 rows…');
    const bigSource = await seed('million', 1_000_000);
    await freshEmulator();
    log('copy of 1,000,000 rows…');
    million = await copy(writeConfig('million', bigSource, 'million'), 1_000_000);
  }

  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const lines = [
    `migrate bench: ${fmt(ROWS)} rows, batch ${BATCH}, concurrency ${CONCURRENCY}, emulator ${externalEmulator ? 'external' : 'private, fresh per phase'}, CLI ${CLI.at(-1)}`,
    `  ceiling (pre-built entities, no MySQL)   ${fmt(ceiling)} rows/s`,
    `  migrate run                               ${fmt(copied.rowsPerSec)} rows/s   peak RSS ${copied.peakRssMb.toFixed(0)} MB`,
    `  migrate verify                            ${fmt(verify)} rows/s`,
    `  row-at-a-time copy (${fmt(NAIVE_ROWS)} rows)          ${fmt(naive)} rows/s`,
    ...(million ? [`  migrate run, 1,000,000 rows              ${fmt(million.rowsPerSec)} rows/s   peak RSS ${million.peakRssMb.toFixed(0)} MB`] : []),
    `  copy / ceiling          ${ratio(copied.rowsPerSec, ceiling)}   (target ≥ 0.80)`,
    `  copy / row-at-a-time    ${ratio(copied.rowsPerSec, naive)}   (target ≥ 5)`,
    `  verify / copy           ${ratio(verify, copied.rowsPerSec)}   (target ≥ 0.80)`,
    `  peak RSS                ${copied.peakRssMb.toFixed(0)} MB${million ? ` → ${million.peakRssMb.toFixed(0)} MB at 1M (${ratio(million.peakRssMb, copied.peakRssMb)}×)` : ' (run with --million for the 1M figure)'}   (target < 300 MB, flat)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await admin.end().catch(() => undefined);
  await emulator.stop();
  await mysqlServer.stop();
  rmSync(workDir, { recursive: true, force: true });
}
