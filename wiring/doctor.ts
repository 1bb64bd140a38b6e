/** `strangler doctor`'s checks: the config, then MySQL (server, tables, binlog), the Datastore target and each backend, concurrently, each bounded by CHECK_TIMEOUT_MS. */
import { request } from 'undici';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { StranglerError, describeCause } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { withTimeout } from '../core/timeout.js';
import { checkCredentials, closeDatastore, createDatastore, datastoreWhere } from '../migrators/datastore/client.js';
import { connectMysql } from '../migrators/mysql/connect.js';
import { readServerFacts } from '../migrators/mysql/server-facts.js';
import { binlogReadiness } from '../migrators/mysql/binlog-readiness.js';
import { binlogFacts } from '../migrators/mysql/binlog.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  ms: number;
}

/** Every check gives up after this, so that doctor never hangs on a black-holed address. */
export const CHECK_TIMEOUT_MS = 4000;

async function timed(name: string, fn: () => Promise<{ detail: string }>): Promise<CheckResult> {
  const start = performance.now();
  try {
    const { detail } = await withTimeout(fn(), CHECK_TIMEOUT_MS, () => new StranglerError('STRANGLER_E_INTERNAL', `no answer within ${CHECK_TIMEOUT_MS} ms`));
    return { name, ok: true, detail, ms: Math.round(performance.now() - start) };
  } catch (err) {
    const hint = err instanceof StranglerError ? err.hint : undefined;
    const detail = err instanceof StranglerError ? err.message : describeCause(err);
    return { name, ok: false, detail, hint, ms: Math.round(performance.now() - start) };
  }
}

async function checkMysql(config: Config): Promise<{ detail: string }> {
  const m = config.migrate!;
  const conn = await connectMysql(m.source, { connectTimeoutMs: CHECK_TIMEOUT_MS - 500 });
  try {
    const info = await readServerFacts(conn);
    const tables = info.tables;
    const missing = Object.keys(m.tables).filter((t) => !tables.includes(t));
    if (missing.length > 0) {
      throw new StranglerError('STRANGLER_E_CONFIG_VALUE', `table(s) ${missing.join(', ')} not found in database ${info.database}`, {
        hint: `migrate.tables names tables of ${info.database}; it has: ${tables.slice(0, 10).join(', ') || '(none)'}`,
      });
    }
    // Informational: the binlog matters only to migrate follow (sync by updatedAt does without it).
    const b = binlogReadiness(await binlogFacts(conn));
    const binlog = b.usable ? `binlog usable for migrate follow (${b.notes.join('; ')})` : `binlog NOT usable for migrate follow: ${b.problems.join('; ')}; ${b.notes.join('; ')}`;
    return { detail: `${redactUrl(m.source)}: server ${info.version}, time_zone ${info.timeZone}, charset ${info.charset}, ${tables.length} table(s) readable in information_schema; ${binlog}` };
  } finally {
    conn.destroy();
  }
}

async function checkDatastore(config: Config): Promise<{ detail: string }> {
  const target = config.migrate!.target;
  const emulator = process.env.DATASTORE_EMULATOR_HOST;
  if (emulator) {
    // The emulator answers "Ok" on / when it is up; a quicker and clearer failure than a gRPC deadline.
    try {
      await request(`http://${emulator}/`, { headersTimeout: CHECK_TIMEOUT_MS - 500 }).then((r) => r.body.dump());
    } catch (err) {
      throw new StranglerError('STRANGLER_E_DATASTORE_UNREACHABLE', `Datastore emulator at ${emulator} does not answer: ${describeCause(err)}`, {
        cause: err,
        hint: 'start it (gcloud emulators firestore start --database-mode=datastore-mode) or fix DATASTORE_EMULATOR_HOST',
      });
    }
  }
  const ds = createDatastore(target);
  await checkCredentials(ds, target);
  try {
    await ds.runQuery(ds.createQuery('StranglerDoctor').select('__key__').limit(1), { gaxOptions: { timeout: CHECK_TIMEOUT_MS - 500, retry: null } } as never);
  } catch (err) {
    throw new StranglerError('STRANGLER_E_DATASTORE_UNREACHABLE', `Datastore (${datastoreWhere(target)}) refused a query: ${describeCause(err)}`, {
      cause: err,
      hint: emulator ? 'the emulator is up but not in Datastore mode? start it with --database-mode=datastore-mode' : 'check credentials (GOOGLE_APPLICATION_CREDENTIALS) and the project id, or set DATASTORE_EMULATOR_HOST',
    });
  } finally {
    await closeDatastore(ds);
  }
  return { detail: `${datastoreWhere(target)}${target.namespace ? `, namespace "${target.namespace}"` : ''}: query ok` };
}

async function checkBackend(name: string, url: string): Promise<{ detail: string }> {
  try {
    const res = await request(url, { method: 'GET', headersTimeout: CHECK_TIMEOUT_MS - 500, bodyTimeout: CHECK_TIMEOUT_MS - 500 });
    await res.body.dump();
    return { detail: `${redactUrl(url)} answered ${res.statusCode}` };
  } catch (err) {
    throw new StranglerError('STRANGLER_E_BACKEND_UNREACHABLE', `${name} backend ${redactUrl(url)} does not answer: ${describeCause(err)}`, {
      cause: err,
      hint: `start the ${name} service or fix proxy.backends.${name}.url`,
    });
  }
}

/** Runs every check that the config calls for, in parallel; a bad config is the only check then. */
export async function runDoctor(file: string, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  let config: Config;
  const start = performance.now();
  try {
    config = loadConfig(file, env);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return [{ name: 'config', ok: false, detail, hint: err instanceof StranglerError ? err.hint : undefined, ms: Math.round(performance.now() - start) }];
  }
  const checks: Promise<CheckResult>[] = [
    Promise.resolve({ name: 'config', ok: true, detail: `${file} is valid`, ms: Math.round(performance.now() - start) }),
  ];
  if (config.migrate) {
    checks.push(timed('mysql', () => checkMysql(config)));
    checks.push(timed('datastore', () => checkDatastore(config)));
  }
  if (config.proxy) {
    for (const [name, b] of Object.entries(config.proxy.backends)) checks.push(timed(`backend ${name}`, () => checkBackend(name, b.url)));
  }
  return Promise.all(checks);
}
