import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { PACKAGE_ROOT } from '../../core/package-info.js';
import { generateSeed, type SeedOptions, type Value } from './seed-data.js';

export const SCHEMA_FILE = path.join(PACKAGE_ROOT, 'examples', 'legacy-php', 'schema.sql');

/** Rows per INSERT: ~300 KB statements, well under MariaDB's 16 MB max_allowed_packet. */
const ROWS_PER_INSERT = 2000;

export interface SeedSummary {
  database: string;
  /** Rows written per table. */
  counts: Record<string, number>;
  /** INSERT statements sent (multi-row: a few dozen for the whole demo). */
  statements: number;
  ms: number;
}

/**
 * Creates the database named in `url` when missing, (re)creates the legacy schema in it and fills
 * it with the deterministic demo data. Re-running it starts over from the same data.
 *   await seedDemoDatabase('mysql://root@127.0.0.1:3306/strangler_demo')
 */
export async function seedDemoDatabase(url: string, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = performance.now();
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_$]+$/.test(database)) throw new Error(`seedDemoDatabase: the URL must name a database (letters, digits, _ and $), got "${target.pathname}"`);
  const server = new URL(url);
  server.pathname = '/';
  const admin = await mysql.createConnection({ uri: server.toString(), charset: 'utf8mb4' });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }

  const tables = generateSeed(options);
  const conn = await mysql.createConnection({ uri: url, charset: 'utf8mb4', multipleStatements: true, timezone: 'Z' });
  let statements = 0;
  try {
    await conn.query(readFileSync(SCHEMA_FILE, 'utf8'));
    // One transaction per table; checks off while loading rows that are consistent by construction.
    await conn.query("SET time_zone = '+00:00', foreign_key_checks = 0, unique_checks = 0");
    for (const table of tables) {
      await conn.beginTransaction();
      for (let i = 0; i < table.rows.length; i += ROWS_PER_INSERT) {
        await conn.query(`INSERT INTO \`${table.name}\` (${table.columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [
          table.rows.slice(i, i + ROWS_PER_INSERT) as Value[][],
        ]);
        statements++;
      }
      await conn.commit();
    }
    await conn.query('SET foreign_key_checks = 1, unique_checks = 1');
  } finally {
    await conn.end();
  }
  return {
    database,
    counts: Object.fromEntries(tables.map((t) => [t.name, t.rows.length])),
    statements,
    ms: Math.round(performance.now() - started),
  };
}
