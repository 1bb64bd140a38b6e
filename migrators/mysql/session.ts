import type mysql from 'mysql2/promise';

/**
 * TIMESTAMP columns are stored in UTC and shown in the session's time_zone; read them in a UTC
 * session so their strings are UTC (the mapping reads TIMESTAMP as UTC and DATETIME in the declared
 * source zone). Call on every connection that reads rows; a pool is made with createMysqlPool's
 * utcSession instead (connect.ts), which sets every connection the pool opens.
 */
export const UTC_SESSION_SQL = "SET time_zone = '+00:00'";

export async function utcSession(conn: mysql.Connection): Promise<void> {
  await conn.query(UTC_SESSION_SQL);
}
