import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { LOSSLESS } from '../../migrators/mysql/connect.js';

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: integration tests need the services that test/support/global-setup.ts starts (do not run them with STRANGLER_TEST_SERVICES=none)`);
  return v;
}

function uniqueName(prefix: string): string {
  const run = process.env.STRANGLER_TEST_RUN_ID ?? 'local';
  return `${prefix}_${run}_${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
}

export interface TestDatabase {
  /** mysql://…/dbname, for configs. */
  url: string;
  name: string;
  /** A pool on the database with the lossless options the migrators use. */
  pool: mysql.Pool;
  drop: () => Promise<void>;
}

/** A fresh, empty database of its own on the run's MariaDB. */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const server = requireEnv('STRANGLER_TEST_MYSQL_URL');
  const name = uniqueName(prefix);
  const admin = await mysql.createConnection({ uri: server });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const pool = mysql.createPool({ uri: url.toString(), ...LOSSLESS, connectionLimit: 4, multipleStatements: true });
  return {
    url: url.toString(),
    name,
    pool,
    drop: async () => {
      await pool.end();
      const c = await mysql.createConnection({ uri: server });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** A Datastore namespace no other test file or run uses. */
export function testNamespace(prefix = 't'): string {
  requireEnv('DATASTORE_EMULATOR_HOST');
  return uniqueName(prefix).replace(/_/g, '-');
}

export const TEST_PROJECT = 'strangler-test';
