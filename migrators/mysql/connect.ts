import mysqlCore from 'mysql2';
import mysql from 'mysql2/promise';
import { StranglerError, describeCause } from '../../core/errors.js';
import { redactUrl } from '../../core/redact.js';
import { UTC_SESSION_SQL } from './session.js';

/**
 * Connection options that lose nothing: BIGINT and DECIMAL as exact strings, dates as the strings
 * MySQL stores (the time zone is applied by the type mapping, not by the driver), JSON as text.
 */
export const LOSSLESS = {
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  jsonStrings: true,
  decimalNumbers: false,
  charset: 'utf8mb4',
  timezone: 'Z',
} as const;

export interface MysqlOptions {
  connectTimeoutMs?: number;
  connectionLimit?: number;
}

/**
 * What reading the schema and the server's facts needs of MySQL (introspect.ts, binlog.ts,
 * plan/load-mappings.ts): one plain query at a time. A connection or a pool is one; so is a
 * source's reader (source.ts), which keeps its pool to itself.
 */
export interface MysqlReader {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

/** Turns a driver error into a catalogued one, naming the server but never the password. */
export function mysqlError(url: string, err: unknown): StranglerError {
  const where = redactUrl(url);
  const code = (err as { code?: string }).code;
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_BAD_DB_ERROR') {
    return new StranglerError('STRANGLER_E_MYSQL_AUTH', `MySQL at ${where} refused the connection: ${describeCause(err)}`, {
      cause: err,
      hint: 'check the user, password and database name in migrate.source',
    });
  }
  return new StranglerError('STRANGLER_E_MYSQL_UNREACHABLE', `MySQL at ${where} cannot be reached: ${describeCause(err)}`, {
    cause: err,
    hint: 'check that the server runs and that host and port in migrate.source are right',
  });
}

/**
 * A pool; with utcSession, every connection it opens is set to UTC before its first query (see
 * session.ts), through the driver's own pool, whose 'connection' event comes before any query.
 */
export function createMysqlPool(url: string, options: MysqlOptions & { utcSession?: boolean } = {}): mysql.Pool {
  const core = mysqlCore.createPool({
    uri: url,
    ...LOSSLESS,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    connectionLimit: options.connectionLimit ?? 8,
    enableKeepAlive: true,
  });
  if (options.utcSession) core.on('connection', (c) => c.query(UTC_SESSION_SQL));
  return core.promise();
}

export async function connectMysql(url: string, options: MysqlOptions = {}): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({ uri: url, ...LOSSLESS, connectTimeout: options.connectTimeoutMs ?? 5000 });
  } catch (err) {
    throw mysqlError(url, err);
  }
}
