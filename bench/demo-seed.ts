// The demo seed's speed: the whole data set with multi-row INSERTs, against a row-at-a-time load
// of a slice of the same rows, measured in the same run on the same server.
//   npx tsx bench/demo-seed.ts            (starts a private MariaDB, or uses MYSQL_URL)
import mysql from 'mysql2/promise';
import { readFileSync } from 'node:fs';
import { generateSeed } from '../examples/demo/seed-data.js';
import { SCHEMA_FILE, seedDemoDatabase } from '../examples/demo/seed.js';
import { startMysql } from '../local-servers/mariadb.js';

const BASELINE_ROWS = Number(process.env.BASELINE_ROWS ?? 3000);

const server = await startMysql();
try {
  const base = server.url.endsWith('/') ? server.url : `${server.url}/`;
  const t0 = performance.now();
  const tables = generateSeed();
  const generateMs = performance.now() - t0;
  const rows = tables.reduce((n, t) => n + t.rows.length, 0);

  const seeded = await seedDemoDatabase(`${base}bench_seed_multi`);
  const multiRate = rows / (seeded.ms / 1000);

  // Baseline: the same schema, the first tables' rows one INSERT each (autocommit, as a naive
  // loader would), until BASELINE_ROWS rows.
  const admin = await mysql.createConnection({ uri: base });
  await admin.query('CREATE DATABASE IF NOT EXISTS bench_seed_single CHARACTER SET utf8mb4');
  await admin.end();
  const conn = await mysql.createConnection({ uri: `${base}bench_seed_single`, multipleStatements: true, charset: 'utf8mb4' });
  await conn.query(readFileSync(SCHEMA_FILE, 'utf8'));
  await conn.query('SET foreign_key_checks = 0');
  let done = 0;
  const t1 = performance.now();
  for (const table of tables) {
    const sql = `INSERT INTO \`${table.name}\` (${table.columns.join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`;
    for (const row of table.rows) {
      if (done >= BASELINE_ROWS) break;
      await conn.query(sql, row);
      done++;
    }
  }
  const singleRate = done / ((performance.now() - t1) / 1000);
  await conn.end();

  console.log(`demo seed: ${rows} rows (${Object.entries(seeded.counts).map(([t, n]) => `${t} ${n}`).join(', ')})`);
  console.log(`  generate (pure JS)          ${generateMs.toFixed(0)} ms`);
  console.log(`  seed, multi-row INSERTs     ${seeded.ms} ms  ${multiRate.toFixed(0)} rows/s  (${seeded.statements} statements)`);
  console.log(`  baseline, row at a time     ${singleRate.toFixed(0)} rows/s  (${done} rows)`);
  console.log(`  ratio multi-row / baseline  ${(multiRate / singleRate).toFixed(1)}x`);
} finally {
  await server.stop();
}
