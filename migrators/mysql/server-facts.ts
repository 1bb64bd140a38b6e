/** What `strangler doctor` reads of the MySQL server: version, zones, charset, and the tables it can see. */
import type mysql from 'mysql2/promise';
import { StranglerError, describeCause } from '../../core/errors.js';

export interface ServerFacts {
  version: string;
  /** @@time_zone, with the system zone in brackets when it is SYSTEM. */
  timeZone: string;
  charset: string;
  database: string;
  /** Tables of the connection's database that information_schema shows this user. */
  tables: string[];
}

export async function readServerFacts(conn: mysql.Connection): Promise<ServerFacts> {
  const [rows] = await conn.query('SELECT VERSION() AS version, @@time_zone AS tz, @@system_time_zone AS systz, @@character_set_server AS charset, DATABASE() AS db');
  const info = (rows as Record<string, string>[])[0]!;
  let tables: string[];
  try {
    const [t] = await conn.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
    tables = (t as { name: string }[]).map((r) => r.name);
  } catch (err) {
    throw new StranglerError('STRANGLER_E_MYSQL_PRIVILEGES', `cannot read information_schema: ${describeCause(err)}`, {
      cause: err,
      hint: 'grant the migration user SELECT on the legacy database (information_schema follows from it)',
    });
  }
  const timeZone = info.tz === 'SYSTEM' ? `SYSTEM (${info.systz})` : info.tz!;
  return { version: info.version!, timeZone, charset: info.charset!, database: info.db!, tables };
}
