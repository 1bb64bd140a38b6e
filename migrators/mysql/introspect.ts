import type { MysqlReader } from './connect.js';
import { StranglerError, describeCause } from '../../core/errors.js';
import type { ColumnInfo, TableInfo } from '../mapping/types.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A failed schema query: missing privileges are the user's to fix (exit 2), anything else a runtime failure. */
export function schemaError(err: unknown): StranglerError {
  const code = (err as { code?: string }).code;
  if (code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    return new StranglerError('STRANGLER_E_MYSQL_PRIVILEGES', `cannot read information_schema: ${describeCause(err)}`, {
      cause: err,
      hint: "GRANT SELECT ON legacy.* TO 'app'@'%'",
    });
  }
  return new StranglerError('STRANGLER_E_MYSQL_UNREACHABLE', `MySQL failed while reading the schema: ${describeCause(err)}`, {
    cause: err,
    hint: 'check that the server is up and retry',
  });
}

async function query(conn: MysqlReader, sql: string, params: unknown[]): Promise<Row[]> {
  try {
    const [rows] = await conn.query(sql, params);
    return rows as Row[];
  } catch (err) {
    throw schemaError(err);
  }
}

/**
 * The base tables of `database` (or only `tables`, those that exist) with their columns, primary key,
 * row estimate and engine, from information_schema. MariaDB's JSON is LONGTEXT with a json_valid()
 * CHECK; such columns are reported with dataType 'json', as MySQL reports its native JSON.
 */
export async function introspect(conn: MysqlReader, database: string, tables?: readonly string[]): Promise<TableInfo[]> {
  const only = tables && tables.length > 0 ? ' AND TABLE_NAME IN (?)' : '';
  const params = tables && tables.length > 0 ? [database, tables] : [database];
  const tableRows = await query(
    conn,
    `SELECT TABLE_NAME AS name, TABLE_ROWS AS rowEstimate, ENGINE AS engine FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'${only} ORDER BY TABLE_NAME`,
    params,
  );
  const columnRows = await query(
    conn,
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, ORDINAL_POSITION AS ordinal, DATA_TYPE AS dataType,
            COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, CHARACTER_OCTET_LENGTH AS maxBytes,
            NUMERIC_PRECISION AS numericPrecision, NUMERIC_SCALE AS numericScale,
            DATETIME_PRECISION AS datetimePrecision, COLLATION_NAME AS collation, EXTRA AS extra,
            COLUMN_DEFAULT AS columnDefault
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?${only} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    params,
  );
  const keyRows = await query(
    conn,
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY'${only} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    params,
  );
  const jsonColumns = await mariadbJsonColumns(conn, database);

  const byTable = new Map<string, TableInfo>();
  for (const t of tableRows) {
    const name = String(t.name);
    byTable.set(name, { name, columns: [], primaryKey: [], rowEstimate: num(t.rowEstimate) ?? 0, engine: t.engine === null ? null : String(t.engine) });
  }
  for (const c of columnRows) {
    const table = byTable.get(String(c.tableName));
    if (!table) continue; // a view
    const columnType = String(c.columnType).toLowerCase();
    const isJson = jsonColumns.has(`${String(c.tableName)}.${String(c.name)}`);
    const column: ColumnInfo = {
      name: String(c.name),
      ordinal: Number(c.ordinal),
      dataType: isJson ? 'json' : String(c.dataType).toLowerCase(),
      columnType,
      nullable: c.nullable === 'YES',
      unsigned: /\bunsigned\b/.test(columnType),
      maxBytes: num(c.maxBytes),
      numericPrecision: num(c.numericPrecision),
      numericScale: num(c.numericScale),
      datetimePrecision: num(c.datetimePrecision),
      collation: c.collation === null ? null : String(c.collation),
      ...(/on update current_timestamp/i.test(String(c.extra ?? '')) ? { onUpdateNow: true } : {}),
      ...(/auto_increment/i.test(String(c.extra ?? '')) ? { autoIncrement: true } : {}),
      ...(/^current_timestamp/i.test(String(c.columnDefault ?? '')) ? { defaultNow: true } : {}),
    };
    table.columns.push(column);
  }
  for (const k of keyRows) byTable.get(String(k.tableName))?.primaryKey.push(String(k.name));
  return [...byTable.values()];
}

/** `table.column` of MariaDB JSON columns (LONGTEXT CHECK (json_valid(`col`))); none on MySQL. */
async function mariadbJsonColumns(conn: MysqlReader, database: string): Promise<Set<string>> {
  const [version] = await query(conn, 'SELECT VERSION() AS v', []);
  if (!/mariadb/i.test(String(version?.v ?? ''))) return new Set();
  const rows = await query(
    conn,
    `SELECT TABLE_NAME AS tableName, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
    [database],
  );
  const out = new Set<string>();
  for (const r of rows) {
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r.clause).trim());
    if (m) out.add(`${String(r.tableName)}.${m[1]!.replace(/``/g, '`')}`);
  }
  return out;
}
