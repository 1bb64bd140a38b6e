import type { MysqlReader } from './connect.js';
import type { BinlogFacts } from './binlog-readiness.js';
import type { BinlogPosition } from './binlog-position.js';

type Conn = MysqlReader;

async function one(conn: Conn, sql: string): Promise<Record<string, unknown> | undefined> {
  const [rows] = await conn.query(sql);
  return (rows as Record<string, unknown>[])[0];
}

/** The source's current binlog position (SHOW MASTER STATUS), or null when the binlog is off or
 * this user may not see it: a backfill records it so that `migrate follow` can start there. */
export async function binlogPosition(conn: Conn): Promise<BinlogPosition | null> {
  try {
    const r = await one(conn, 'SHOW MASTER STATUS');
    return r && r.File ? { file: String(r.File), position: Number(r.Position) } : null;
  } catch {
    return null;
  }
}

/** What decides whether `migrate follow` can read this server's binlog (readiness.ts judges). */
export async function binlogFacts(conn: Conn): Promise<BinlogFacts> {
  const v = (await one(conn, 'SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS rowImage, @@expire_logs_days AS days, VERSION() AS version'))!;
  let expireSeconds = Number(v.days ?? 0) * 86_400;
  try {
    // MariaDB 10.6+ and MySQL 8 count in seconds (and MySQL 8 no longer has expire_logs_days).
    const s = await one(conn, 'SELECT @@binlog_expire_logs_seconds AS s');
    if (s && Number(s.s) > 0) expireSeconds = Number(s.s);
  } catch {
    // an older server: days only
  }
  let grants = '';
  try {
    const [rows] = await conn.query('SHOW GRANTS');
    grants = (rows as Record<string, string>[]).map((r) => Object.values(r)[0]).join('\n');
  } catch {
    // cannot tell: judged as missing
  }
  let files: string[] | null = null;
  try {
    const [rows] = await conn.query('SHOW BINARY LOGS');
    files = (rows as { Log_name: string }[]).map((r) => r.Log_name);
  } catch {
    files = null;
  }
  return {
    logBin: Number(v.logBin) === 1,
    format: String(v.format ?? ''),
    rowImage: String(v.rowImage ?? ''),
    expireSeconds,
    replicationGrant: /ALL PRIVILEGES ON \*\.\*|REPLICATION (SLAVE|REPLICA)\b/i.test(grants),
    files,
    mariadb: /mariadb/i.test(String(v.version)),
  };
}
