import type { MysqlReader } from './connect.js';
import { classify, isTinyintOne, utcTwin } from '../mapping/column-class.js';
import { isUtcZone } from '../mapping/datetime.js';
import { dstWindows } from '../mapping/dst-windows.js';
import { MAX_ENTITY_BYTES, MAX_INDEXED_BYTES, type ColumnFacts, type ColumnInfo, type TableFacts, type TableInfo } from '../mapping/types.js';
import { schemaError } from './introspect.js';
import { quoteId } from './keyset.js';


type Probe = { column: string; fact: keyof ColumnFacts; sql: string };

/**
 * 'decisions': only the facts the mapping's choices depend on (TINYINT(1) holding only 0/1, MAX of
 * BIGINT UNSIGNED, MIN/MAX of integer key and parent columns) — what run and verify need, so that they
 * derive the same mapping as the plan, and how a DATETIME column of undeclared zone compares with its
 * UTC twin. 'all': also what the plan reports (zero dates, sub-millisecond digits, longest values,
 * oversized rows, wall-clock times a DST change skipped or repeated). Both are one aggregate query (one scan) per table.
 */
export type FactScope = 'decisions' | 'all';

/** DATETIME column mapped to a timestamp → the zone the config declares for it, or null when it
 * declares none (columns not in the map are not checked for zones). */
export type DeclaredZones = ReadonlyMap<string, string | null>;

/** The years whose DST changes the plan looks for in the data (the tz database is exact from 1970). */
const DST_FROM_YEAR = 1970;

function probes(table: TableInfo, scope: FactScope, keyColumns: readonly string[], pinned: ReadonlySet<string>, zones: DeclaredZones): Probe[] {
  const out: Probe[] = [];
  const add = (c: ColumnInfo, fact: keyof ColumnFacts, sql: string) => out.push({ column: c.name, fact, sql });
  for (const c of table.columns) {
    const q = quoteId(c.name);
    const cls = classify(c);
    const isKey = keyColumns.includes(c.name);
    const decides = isKey || (!pinned.has(c.name) && (isTinyintOne(c) || (cls === 'bigint' && c.unsigned)));
    if ((cls === 'integer' || cls === 'bigint') && (decides || (scope === 'all' && (isTinyintOne(c) || cls === 'bigint')))) {
      add(c, 'min', `MIN(${q})`);
      add(c, 'max', `MAX(${q})`);
    }
    const zone = zones.get(c.name);
    const twin = zone !== undefined ? utcTwin(table.columns, c.name) : undefined;
    // An undeclared zone is decided by the twin (refused when the two differ), so run reads it too.
    if (twin && (scope === 'all' || zone === null)) twinProbes(c, twin, add);
    if (scope === 'decisions') continue;
    if (zone && !isUtcZone(zone)) dstProbes(c, zone, add);
    if (cls === 'date' || cls === 'datetime' || cls === 'timestamp') {
      const text = `CAST(${q} AS CHAR)`;
      add(c, 'zeroDates', `SUM(${text} LIKE '0000-00-00%')`);
      add(c, 'partialZeroDates', `SUM(${text} NOT LIKE '0000-00-00%' AND (SUBSTRING(${text}, 6, 2) = '00' OR SUBSTRING(${text}, 9, 2) = '00'))`);
      if ((c.datetimePrecision ?? 0) > 3) add(c, 'subMillisecond', `SUM(MICROSECOND(${q}) % 1000 <> 0)`);
    }
    if ((c.maxBytes ?? 0) > MAX_INDEXED_BYTES) add(c, 'maxBytes', `MAX(OCTET_LENGTH(${q}))`);
  }
  return out;
}

/** How a DATETIME column compares with its UTC twin, where both hold a real (non-zero) date. */
function twinProbes(c: ColumnInfo, twin: string, add: (c: ColumnInfo, fact: keyof ColumnFacts, sql: string) => void): void {
  const q = quoteId(c.name);
  const t = quoteId(twin);
  const both = `${q} >= '0001-01-01' AND ${t} >= '0001-01-01'`;
  add(c, 'twinDiffering', `SUM(${both} AND ${q} <> ${t})`);
  add(c, 'twinMinOffset', `MIN(CASE WHEN ${both} AND ${q} <> ${t} THEN TIMESTAMPDIFF(MINUTE, ${t}, ${q}) END)`);
  add(c, 'twinMaxOffset', `MAX(CASE WHEN ${both} AND ${q} <> ${t} THEN TIMESTAMPDIFF(MINUTE, ${t}, ${q}) END)`);
}

/** Rows inside the wall-clock stretches the zone's DST changes skipped or repeated. */
function dstProbes(c: ColumnInfo, zone: string, add: (c: ColumnInfo, fact: keyof ColumnFacts, sql: string) => void): void {
  const windows = dstWindows(zone, DST_FROM_YEAR, new Date().getUTCFullYear() + 1);
  const q = quoteId(c.name);
  for (const kind of ['gap', 'overlap'] as const) {
    const ranges = windows.filter((w) => w.kind === kind).map((w) => `(${q} >= '${w.from}' AND ${q} < '${w.to}')`);
    add(c, kind === 'gap' ? 'dstGap' : 'dstOverlap', ranges.length === 0 ? '0' : `SUM(${ranges.join(' OR ')})`);
  }
}

const NULLABLE_FACTS = new Set<keyof ColumnFacts>(['min', 'max', 'maxBytes', 'twinMinOffset', 'twinMaxOffset']);

function toFact(fact: keyof ColumnFacts, v: unknown): string | number | null {
  if (v === null || v === undefined) return NULLABLE_FACTS.has(fact) ? null : 0;
  if (fact === 'min' || fact === 'max') return String(v);
  return Number(v);
}

/**
 * Facts about the data of one table, by one aggregate query. `keyColumns`: the key and parent
 * columns, whose MIN/MAX decide between numeric ids and key names. `pinned`: columns whose type the
 * config fixes (or skips), whose data then decides nothing: with scope 'decisions' they are not read,
 * and a table with nothing left to decide is not scanned at all.
 */
export async function gatherFacts(
  conn: MysqlReader,
  table: TableInfo,
  scope: FactScope = 'all',
  keyColumns: readonly string[] = table.primaryKey,
  pinned: ReadonlySet<string> = new Set(),
  zones: DeclaredZones = new Map(),
): Promise<TableFacts> {
  const list = probes(table, scope, keyColumns, pinned, zones);
  const select = list.map((p, i) => `${p.sql} AS f${i}`);
  const lengths = table.columns.filter((c) => c.maxBytes !== null).map((c) => `COALESCE(OCTET_LENGTH(${quoteId(c.name)}), 0)`);
  const possibleBytes = table.columns.reduce((n, c) => n + (c.maxBytes ?? 8), 0);
  const checkSize = scope === 'all' && lengths.length > 0 && possibleBytes > MAX_ENTITY_BYTES;
  if (checkSize) select.push(`SUM(${lengths.join(' + ')} > ${MAX_ENTITY_BYTES}) AS oversized`);
  if (scope === 'all') select.push('COUNT(*) AS n');
  const facts: TableFacts = { columns: {} };
  if (select.length === 0) return facts;
  let row: Record<string, unknown>;
  try {
    const [rows] = await conn.query(`SELECT ${select.join(', ')} FROM ${quoteId(table.name)}`);
    row = (rows as Record<string, unknown>[])[0] ?? {};
  } catch (err) {
    throw schemaError(err);
  }
  list.forEach((p, i) => {
    const col = (facts.columns[p.column] ??= {});
    (col as Record<string, unknown>)[p.fact] = toFact(p.fact, row[`f${i}`]);
    if (p.fact === 'twinDiffering') col.twin = utcTwin(table.columns, p.column);
  });
  if (checkSize) facts.oversizedRows = Number(row.oversized ?? 0);
  if (scope === 'all') facts.rows = Number(row.n ?? 0);
  return facts;
}
