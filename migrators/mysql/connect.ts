import mysql from 'mysql2/promise';
import { StranglerError, describeCause } from '../../core/errors.js';
import { redactUrl } from '../../core/redact.js';

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

export function createMysqlPool(url: string, options: MysqlOptions = {}): mysql.Pool {
  return mysql.createPool({
    uri: url,
    ...LOSSLESS,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    connectionLimit: options.connectionLimit ?? 8,
    enableKeepAlive: true,
  });
}

export async function connectMysql(url: string, options: MysqlOptions = {}): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({ uri: url, ...LOSSLESS, connectTimeout: options.connectTimeoutMs ?? 5000 });
  } catch (err) {
    throw mysqlError(url, err);
  }
}
