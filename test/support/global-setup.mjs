// Plain ESM: jest loads globalSetup outside its module system, where a TS file's .js imports do
// not resolve; tsx's loader brings in the TypeScript service starters.
import { randomBytes } from 'node:crypto';
import { tsImport } from 'tsx/esm/api';

/**
 * Starts one private MariaDB and one Datastore emulator for the whole jest run (or uses MYSQL_URL /
 * DATASTORE_EMULATOR_HOST) and hands their addresses to the test workers through the environment.
 * Each test file then takes its own database and namespace (see services.ts), so files and runs never
 * collide. STRANGLER_TEST_SERVICES=none skips both, for a quick unit-only run.
 */
export default async function globalSetup() {
  process.env.STRANGLER_TEST_RUN_ID ??= `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  if (process.env.STRANGLER_TEST_SERVICES === 'none') return;
  const { startMysql } = await tsImport('../../local-servers/mariadb.ts', import.meta.url);
  const { startDatastoreEmulator } = await tsImport('../../local-servers/datastore-emulator.ts', import.meta.url);
  const [mysql, emulator] = await Promise.all([startMysql(), startDatastoreEmulator()]);
  process.env.STRANGLER_TEST_MYSQL_URL = mysql.url;
  process.env.DATASTORE_EMULATOR_HOST = emulator.host;
  globalThis.__stranglerServices = [mysql, emulator];
}
