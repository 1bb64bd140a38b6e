/**
 * Live-data benchmark, in one run against a private MariaDB (ROW binlog) and Firestore emulator:
 *   - ceiling: the emulator's own write rate for pre-built entities, committed one batch of 500 after
 *              another, as follow commits them (no MySQL, no binlog);
 *   - follow:  `strangler migrate follow` (the real CLI in a child process) under a steady write load
 *              on MySQL: the changes/s it sustains (changes written / time until it has applied the
 *              last one) and its lag (the lagSeconds of its batch lines) — beside the ceiling;
 *   - reverse: `strangler migrate reverse` sending N entities changed in Datastore back into MySQL, rows/s.
 * Prints the figures, their ratio to the ceiling and how busy the machine was.
 *
 *   npx tsx bench/follow.ts [--rate 1000] [--seconds 20] [--reverse-rows 5000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import YAML from 'yaml';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import { createDatastore } from '../migrators/datastore/client.js';
import { startDatastoreEmulator } from '../local-servers/datastore-emulator.js';
import { startMysql } from '../local-servers/mariadb.js';

const { values: args } = parseArgs({ options: { rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '20' }, 'reverse-rows': { type: 'string', default: '5000' } } });
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const REVERSE_ROWS = Number(args['reverse-rows']);
const ROOT = path.resolve(import.meta.dirname, '..');
const log = (s: string) => process.stderr.write(`${s}\n`);

function ticks(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]! - f[7]!, total };
}
const t0 = ticks();

const mysqlServer = await startMysql();
const emulator = await startDatastoreEmulator(process.env);
process.env.DATASTORE_EMULATOR_HOST = emulator.host;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-bench-follow-'));
try {
  const admin = await mysql.createConnection({ uri: mysqlServer.url, multipleStatements: true });
  await admin.query("CREATE DATABASE bench; USE bench; CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT NULL, at DATETIME(3) NOT NULL, updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))");
  const seed = Array.from({ length: REVERSE_ROWS }, (_, i) => [`seed${i}`, i, '2024-01-01 00:00:00.000']);
  await admin.query('INSERT INTO events (v, n, at) VALUES ?', [seed]);
  const url = new URL(mysqlServer.url);
  url.pathname = '/bench';
  const configFile = path.join(dir, 'strangler.yaml');
  fs.writeFileSync(configFile, YAML.stringify({ migrate: { source: url.toString(), sourceTimeZone: 'UTC', target: { projectId: 'strangler-bench' }, deadLetters: './dead.jsonl', tables: { events: { kind: 'Event', updatedAt: 'updated_at', reverse: { updatedAt: 'updated_at' } } } } }));
  const cli = async (...a: string[]) => {
    const io = bufferIo();
    const code = await runCli(a, io);
    if (code !== 0) throw new Error(`${a.join(' ')}: exit ${code}: ${io.err()}`);
    return io.out();
  };

  // --- ceiling ------------------------------------------------------------------------------------
  const ds = createDatastore({ projectId: 'strangler-bench', namespace: '' });
  const N = RATE * SECONDS;
  const entities = Array.from({ length: N }, (_, i) => ({ key: ds.key(['Ceiling', i + 1]), data: { id: ds.int(i + 1), v: `v${i}`, n: ds.int(i), at: new Date() } }));
  let started = performance.now();
  for (let i = 0; i < entities.length; i += 500) await ds.upsert(entities.slice(i, i + 500));
  const ceiling = N / ((performance.now() - started) / 1000);
  log(`ceiling: ${Math.round(ceiling)} entities/s (batches of 500, one after another)`);

  // --- backfill, then follow under a steady load -------------------------------------------------------
  await cli('migrate', 'run', '-c', configFile);
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate', 'follow', '-c', configFile, '--batch-size', '500', '--max-wait', '100'], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const childExit = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`follow exited early (code ${code})`))));
  const lines: { lagSeconds: number; at: { file: string; position: number }; t: number }[] = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const l = JSON.parse(buffered.slice(0, nl)) as { event: string; lagSeconds: number; at: { file: string; position: number } };
      buffered = buffered.slice(nl + 1);
      if (l.event === 'follow') lines.push({ ...l, t: performance.now() });
    }
  });
  await new Promise((r) => setTimeout(r, 3000)); // follow has started and caught up with the backfill
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 4 });
  let written = 0;
  const loadStart = performance.now();
  const perTx = 10;
  while (performance.now() - loadStart < SECONDS * 1000) {
    const due = ((performance.now() - loadStart) / 1000) * RATE;
    if (written >= due) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    const conn = await pool.getConnection();
    await conn.query('START TRANSACTION');
    const rows = Array.from({ length: perTx / 2 }, (_, i) => [`w${written + i}`, written + i, '2024-06-01 00:00:00.000']);
    await conn.query('INSERT INTO events (v, n, at) VALUES ?', [rows]);
    await conn.query('UPDATE events SET n = n + 1 WHERE id IN (?)', [Array.from({ length: perTx / 2 }, (_, i) => 1 + ((written + i * 97) % REVERSE_ROWS))]);
    await conn.query('COMMIT');
    conn.release();
    written += perTx;
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const [[end]] = (await admin.query('SHOW MASTER STATUS')) as unknown as [{ File: string; Position: number }[]];
  const caughtUp = await Promise.race([childExit, new Promise<number>((resolve) => {
    const check = setInterval(() => {
      const last = lines.at(-1);
      if (last && last.at.file === end!.File && last.at.position >= end!.Position) {
        clearInterval(check);
        resolve(last.t);
      }
    }, 20);
  })]);
  child.kill('SIGTERM');
  const sustained = written / ((caughtUp - loadStart) / 1000);
  const lags = lines.filter((l) => l.t >= loadStart).map((l) => l.lagSeconds).sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? 0;
  log(`follow: ${written} changes offered at ${Math.round(written / loadSeconds)}/s for ${loadSeconds.toFixed(1)} s, applied by ${((caughtUp - loadStart) / 1000).toFixed(1)} s: ${Math.round(sustained)} changes/s sustained; lag p50 ${q(0.5)} s, p95 ${q(0.95)} s, max ${lags.at(-1) ?? 0} s`);

  // --- reverse ------------------------------------------------------------------------------------
  const [found] = await ds.runQuery(ds.createQuery('Event').limit(REVERSE_ROWS));
  // Stamped from now on, one ms apart (after every write of the load, so no conflict), and read once
  // settled: reverse reads only stamps older than its settle time (2 s).
  const at = Date.now();
  const changed = (found as Record<string | symbol, unknown>[]).map((e, i) => ({ key: e[ds.KEY] as never, data: { ...e, v: `reversed${i}`, updated_at: new Date(at + i) } }));
  for (let i = 0; i < changed.length; i += 500) await ds.upsert(changed.slice(i, i + 500));
  await new Promise((r) => setTimeout(r, Math.max(0, at + changed.length + 2_100 - Date.now())));
  started = performance.now();
  const rev = JSON.parse((await cli('migrate', 'reverse', '-c', configFile, '--batch-size', '500')).trim().split('\n').at(-1)!) as { upserts: number };
  const reverseRate = rev.upserts / ((performance.now() - started) / 1000);
  log(`reverse: ${rev.upserts} rows in MySQL at ${Math.round(reverseRate)} rows/s`);

  const t1 = ticks();
  const busy = Math.round(((t1.busy - t0.busy) / (t1.total - t0.total)) * 100);
  console.log(JSON.stringify({ ceiling: Math.round(ceiling), offeredPerSecond: Math.round(written / loadSeconds), followSustained: Math.round(sustained), followVsCeiling: +(sustained / ceiling).toFixed(2), lagP50: q(0.5), lagP95: q(0.95), lagMax: lags.at(-1) ?? 0, reverseRowsPerSecond: Math.round(reverseRate), reverseVsCeiling: +(reverseRate / ceiling).toFixed(2), machineBusyPercent: busy }));
  await pool.end();
  await admin.end();
} finally {
  await emulator.stop();
  await mysqlServer.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
