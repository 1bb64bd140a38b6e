import type { MysqlReader } from './connect.js';
import { schemaError } from './introspect.js';

/**
 * The server's time_zone (its system zone when it says SYSTEM): the zone NOW() and CURRENT_TIMESTAMP
 * write into DATETIME columns, and the likeliest zone of an app that never set one.
 */
export async function serverTimeZone(conn: MysqlReader): Promise<string> {
  try {
    const [rows] = await conn.query('SELECT @@global.time_zone AS g, @@system_time_zone AS s');
    const row = (rows as { g: unknown; s: unknown }[])[0];
    const global = String(row?.g ?? 'SYSTEM');
    return global === 'SYSTEM' ? String(row?.s ?? 'SYSTEM') : global;
  } catch (err) {
    throw schemaError(err);
  }
}
