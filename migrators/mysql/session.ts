import type mysql from 'mysql2/promise';

/**
 * TIMESTAMP columns are stored in UTC and shown in the session's time_zone; read them in a UTC
 * session so their strings are UTC (the mapping reads TIMESTAMP as UTC and DATETIME in the declared
 * source zone). Call on every connection that reads rows; for a pool, call it right after creating the
 * pool, before its first query: every connection the pool opens from then on is set first.
 */
export const UTC_SESSION_SQL = "SET time_zone = '+00:00'";

export async function utcSession(target: mysql.Connection | mysql.Pool): Promise<void> {
  if ('getConnection' in target) {
    // The pool's core (callback) connections: set the zone as each is created, before any query.
    const core = (target as unknown as { pool: { on(ev: 'connection', f: (c: { query(sql: string): void }) => void): void } }).pool;
    core.on('connection', (c) => c.query(UTC_SESSION_SQL));
    return;
  }
  await target.query(UTC_SESSION_SQL);
}
