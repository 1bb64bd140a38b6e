import type mysql from 'mysql2/promise';
import { StranglerError, describeCause } from '../../core/errors.js';
import type { TableMapping } from '../mapping/types.js';
import { quoteId } from './keyset.js';
import { UTC_SESSION_SQL } from './session.js';

/**
 * `migrate reverse`'s MySQL side on one connection of its own: rows read by key, and writes in one
 * transaction per batch under a session server_id of reverse's own — in the binlog they carry it (as
 * circular replication marks its writes), and `migrate follow` skips them, so nothing loops. MariaDB
 * only: MySQL has no session server_id, and the writer refuses to start there.
 */
export interface ReverseWriter {
  rows(mapping: TableMapping, keyRows: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]>;
  write(mapping: TableMapping, upserts: readonly Record<string, unknown>[], deletes: readonly Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

export async function createReverseWriter(conn: mysql.Connection, serverId: number): Promise<ReverseWriter> {
  const [versionRows] = await conn.query('SELECT VERSION() AS v');
  const version = String((versionRows as { v: unknown }[])[0]?.v ?? '');
  if (!/mariadb/i.test(version)) {
    // MySQL's server_id is global only and its GTIDs carry the server's UUID: no mark of a
    // session's writes reaches the binlog, so follow could not tell reverse's writes apart.
    await conn.end().catch(() => undefined);
    throw new StranglerError(
      'STRANGLER_E_MIGRATE_REVERSE_LOOP_GUARD',
      `reverse: MySQL ${version} cannot mark reverse's writes for follow to skip (server_id is a global variable on MySQL, and its GTIDs carry the server's UUID), so follow would copy them back over newer entities`,
      { hint: 'reverse runs against MariaDB; on MySQL do not run migrate reverse beside migrate follow (README "No loops")' },
    );
  }
  try {
    await conn.query('SET SESSION server_id = ?', [serverId]);
  } catch (err) {
    await conn.end().catch(() => undefined);
    throw new StranglerError('STRANGLER_E_MYSQL_PRIVILEGES', `reverse: cannot set the session server_id that marks its writes: ${describeCause(err)}`, {
      cause: err,
      hint: 'MariaDB needs SUPER for SET SESSION server_id: GRANT it to the migration user',
    });
  }
  await conn.query(UTC_SESSION_SQL);
  const keyTuple = (mapping: TableMapping) => `(${mapping.key.columns.map(quoteId).join(', ')})`;
  return {
    async rows(mapping, keyRows) {
      if (keyRows.length === 0) return [];
      const tuples = keyRows.map((r) => mapping.key.columns.map((c) => r[c]));
      const [rows] = await conn.query(`SELECT * FROM ${quoteId(mapping.table)} WHERE ${keyTuple(mapping)} IN (?)`, [tuples]);
      return rows as Record<string, unknown>[];
    },
    async write(mapping, upserts, deletes) {
      if (upserts.length === 0 && deletes.length === 0) return;
      await conn.query('START TRANSACTION');
      try {
        for (const row of upserts) {
          const cols = Object.keys(row);
          const update = cols.filter((c) => !mapping.key.columns.includes(c)).map((c) => `${quoteId(c)} = VALUES(${quoteId(c)})`);
          const sql = `INSERT INTO ${quoteId(mapping.table)} (${cols.map(quoteId).join(', ')}) VALUES (?)${update.length > 0 ? ` ON DUPLICATE KEY UPDATE ${update.join(', ')}` : ' ON DUPLICATE KEY UPDATE ' + `${quoteId(cols[0]!)} = ${quoteId(cols[0]!)}`}`;
          await conn.query(sql, [cols.map((c) => row[c])]);
        }
        if (deletes.length > 0) {
          const tuples = deletes.map((r) => mapping.key.columns.map((c) => r[c]));
          await conn.query(`DELETE FROM ${quoteId(mapping.table)} WHERE ${keyTuple(mapping)} IN (?)`, [tuples]);
        }
        await conn.query('COMMIT');
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
    close: () => conn.end(),
  };
}
