import type { TableConfig } from '../../config/migrate-schema.js';
import { isUtcZone } from './datetime.js';
import { hotspotRisks } from './hotspots.js';
import { bitWidth, classify, isCaseInsensitive, isTinyintOne, type ColumnClass } from './column-class.js';
import {
  INT64_MAX,
  MAX_INDEXED_BYTES,
  type ColumnFacts,
  type ColumnInfo,
  type KeyStrategy,
  type PropertyMapping,
  type PropertyType,
  type Risk,
  type TableFacts,
  type TableInfo,
  type TableMapping,
} from './types.js';

export interface BuildOptions {
  /** migrate.sourceTimeZone: the zone DATETIME values were written in; undefined: not declared
   * (read as UTC unless the server's zone or a UTC twin column says otherwise: then refused). */
  sourceTimeZone?: string;
  /** The MySQL server's time_zone (server-zone.ts), when known. */
  serverTimeZone?: string;
  /** Data-derived facts (gatherFacts); without them the plan says what it could not check. */
  facts?: TableFacts;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The mapping of one table (kind, key, properties) from its schema, its config and facts about its
 * data, with every risk found. A risk of level 'error' means the table is refused.
 */
export function buildMapping(table: TableInfo, config: TableConfig | undefined, options: BuildOptions): { mapping: TableMapping; risks: Risk[] } {
  const risks: Risk[] = [];
  const risk = (level: Risk['level'], code: string, message: string, column?: string) =>
    risks.push({ level, code, table: table.name, ...(column ? { column } : {}), message });
  const factsOf = (c: string): ColumnFacts | undefined => options.facts?.columns[c];
  const byName = new Map(table.columns.map((c) => [c.name, c]));

  // --- key ------------------------------------------------------------------
  const keyColumns = config?.key ? [config.key].flat() : table.primaryKey;
  if (table.primaryKey.length === 0) {
    risk('error', 'no-primary-key', 'no primary key: refused (keyset copy, resume and verify need a unique, ordered key); add one: ALTER TABLE … ADD PRIMARY KEY (…)');
  }
  let strategy: KeyStrategy = 'name';
  if (keyColumns.length === 1) {
    const col = byName.get(keyColumns[0]!)!;
    strategy = idStrategy(col, factsOf(col.name), (msg) => risk('warning', 'key-not-id', msg, col.name));
  } else if (keyColumns.length > 1) {
    risk('info', 'composite-key', `composite key (${keyColumns.join(', ')}) → key name "a:b" (':' and '\\' escaped with '\\'); the new service must build names the same way`);
  }
  for (const name of keyColumns) {
    const col = byName.get(name);
    if (!col) continue;
    if (classify(col) === 'string' && isCaseInsensitive(col.collation)) {
      risk(
        'warning',
        'case-insensitive-key',
        `key column collation ${col.collation} is case-insensitive: MySQL finds "Bob" when asked for "bob" (and ignores trailing spaces), Datastore key names match exactly — look keys up with the stored spelling, or normalise it in the new service`,
        name,
      );
    }
    if (classify(col) === 'binary' && strategy === 'name') risk('info', 'binary-key', 'binary key values become lower-case hex in the key name', name);
  }

  // --- parent -----------------------------------------------------------------
  let parent: TableMapping['parent'];
  if (config?.parent) {
    const col = byName.get(config.parent.column)!;
    parent = { kind: config.parent.kind, column: col.name, strategy: idStrategy(col, factsOf(col.name), (msg) => risk('warning', 'parent-not-id', msg, col.name)) };
    if (col.nullable) risk('warning', 'nullable-parent', `parent column is nullable: a row with NULL there has no ancestor and goes to the dead letters`, col.name);
  }

  // --- properties -------------------------------------------------------------
  const properties: PropertyMapping[] = [];
  for (const col of table.columns) {
    const cc = config?.columns[col.name];
    if (cc?.skip) continue;
    const cls = classify(col);
    const facts = factsOf(col.name);
    const colRisk = (level: Risk['level'], code: string, msg: string) => risk(level, code, msg, col.name);
    if (cls === 'unsupported') {
      colRisk('error', 'unsupported-type', `${col.columnType} has no Datastore mapping: skip the column (skip: true) and convert it in a transform if needed`);
      continue;
    }
    const derived = defaultType(col, cls, facts, colRisk);
    const type = cc?.type ?? derived;
    if (cc?.type && cc.type !== derived) colRisk('info', 'type-override', `type forced to ${cc.type} (default ${derived}); values that do not convert exactly go to the dead letters`);
    const canBeLong = (col.maxBytes ?? 0) > MAX_INDEXED_BYTES && (type === 'string' || type === 'blob' || type === 'json' || type === 'entity');
    const indexed = cc?.index ?? !(canBeLong || type === 'json' || type === 'entity');
    if (canBeLong) {
      const seen = facts?.maxBytes ?? null;
      const data = seen === null ? '' : `; the longest value now is ${seen} bytes`;
      colRisk(
        seen !== null && seen > MAX_INDEXED_BYTES ? 'warning' : 'info',
        'long-value',
        indexed
          ? `values can exceed ${MAX_INDEXED_BYTES} bytes (up to ${col.maxBytes}): those rows are left unindexed, so queries on it miss them${data}`
          : `values can exceed ${MAX_INDEXED_BYTES} bytes (up to ${col.maxBytes}): unindexed${data}`,
      );
    }
    const p: PropertyMapping = { column: col.name, property: cc?.rename ?? col.name, type, indexed };
    if (/[.[\]]/.test(p.property)) {
      colRisk('warning', 'property-name', `property name "${p.property}" has "." or "[": the Datastore client cannot unindex it, so rows whose value must be unindexed go to the dead letters; rename it`);
    }
    if (type === 'timestamp') {
      if (cls === 'timestamp') {
        p.timeZone = 'UTC';
        if (cc?.timeZone) colRisk('warning', 'timezone-ignored', `timeZone ${cc.timeZone} ignored: MySQL stores TIMESTAMP in UTC and strangler reads it in a UTC session`);
      } else {
        const declared = cc?.timeZone ?? options.sourceTimeZone;
        p.timeZone = declared ?? 'UTC';
        zoneRisks(`${table.name}.columns.${col.name}`, declared, options.serverTimeZone, facts, colRisk);
      }
    }
    properties.push(p);
  }

  // --- updatedAt (sync's watermark) ------------------------------------------------
  if (config?.updatedAt) {
    const col = byName.get(config.updatedAt)!;
    const cls = classify(col);
    if (!['datetime', 'timestamp', 'date', 'integer', 'bigint'].includes(cls)) {
      risk('warning', 'updated-at-type', `updatedAt column is ${col.columnType}, not a date/time or number: sync cannot compare it with a watermark reliably`, col.name);
    }
    if (col.nullable) risk('warning', 'updated-at-null', 'updatedAt column is nullable: rows with NULL there are never re-copied by sync', col.name);
    if (!col.onUpdateNow) {
      risk('info', 'updated-at-app', 'updatedAt has no ON UPDATE CURRENT_TIMESTAMP: sync sees a change only if the legacy app sets it on every write', col.name);
    }
  }

  // --- table-level facts -----------------------------------------------------
  const oversized = options.facts?.oversizedRows ?? 0;
  if (oversized > 0) risk('warning', 'oversized-rows', `${oversized} row(s) exceed Datastore's 1 MiB entity limit: they go to the dead letters`);
  if (config?.transform) risk('info', 'transform', `transform ${config.transform} runs after the mapping; verify compares what it produces`);

  const mapping: TableMapping = {
    table: table.name,
    kind: config?.kind ?? defaultKind(table.name),
    key: { columns: keyColumns, strategy },
    ...(parent ? { parent } : {}),
    ...(config?.updatedAt ? { updatedAt: config.updatedAt } : {}),
    properties,
    ...(config?.transform ? { transformModule: config.transform } : {}),
  };
  risks.push(...hotspotRisks(table, mapping));
  return { mapping, risks };
}

/** A single integer column whose values all fit 1..2^63−1 gives numeric ids; anything else names. */
function idStrategy(col: ColumnInfo, facts: ColumnFacts | undefined, warn: (msg: string) => void): KeyStrategy {
  const cls = classify(col);
  if (cls !== 'integer' && cls !== 'bigint') return 'name';
  const min = facts?.min == null ? undefined : BigInt(facts.min);
  const max = facts?.max == null ? undefined : BigInt(facts.max);
  if ((min !== undefined && min < 1n) || (max !== undefined && max > INT64_MAX)) {
    warn(`values from ${facts!.min} to ${facts!.max} cannot all be Datastore ids (1 to 2^63−1): the key is a name (the number as text)`);
    return 'name';
  }
  return 'id';
}

function defaultType(col: ColumnInfo, cls: Exclude<ColumnClass, 'unsupported'>, facts: ColumnFacts | undefined, risk: (level: Risk['level'], code: string, msg: string) => void): PropertyType {
  switch (cls) {
    case 'integer':
      if (isTinyintOne(col)) {
        if (facts?.min === undefined) {
          risk('info', 'tinyint-unchecked', 'TINYINT(1) kept as int: the data was not read to confirm it holds only 0/1');
          return 'int';
        }
        const onlyBits = facts.min === null || (BigInt(facts.min) >= 0n && BigInt(facts.max!) <= 1n);
        if (onlyBits) return 'boolean';
        risk('info', 'tinyint-not-boolean', `TINYINT(1) holds values from ${facts.min} to ${facts.max}, not only 0/1: kept as int`);
      }
      return 'int';
    case 'bigint': {
      const max = facts?.max == null ? undefined : BigInt(facts.max);
      const min = facts?.min == null ? undefined : BigInt(facts.min);
      if (col.unsigned && max !== undefined && max > INT64_MAX) {
        risk('warning', 'unsigned-beyond-int64', `BIGINT UNSIGNED holds values up to ${facts!.max}, above 2^63−1: stored as a decimal string for every row (no numeric ordering)`);
        return 'string';
      }
      if (col.unsigned && max === undefined) {
        risk('warning', 'unsigned-unchecked', 'BIGINT UNSIGNED can exceed 2^63−1, the Datastore int64 maximum; rows above it would go to the dead letters (run the plan with data facts to check)');
      } else if ((max !== undefined && max > SAFE) || (min !== undefined && min < -SAFE)) {
        risk('warning', 'int64-beyond-js', `values beyond 2^53 (${facts!.min} … ${facts!.max}): stored exactly as int64, but JavaScript readers must use wrapNumbers or lose digits`);
      } else if (max === undefined) {
        risk('info', 'int64', 'BIGINT → exact int64; JavaScript readers need wrapNumbers for values beyond 2^53');
      }
      return 'int';
    }
    case 'decimal':
      return 'decimal';
    case 'float':
      return 'double';
    case 'datetime':
    case 'timestamp':
      dateRisks(col, facts, risk);
      if ((col.datetimePrecision ?? 0) > 3) {
        if (facts?.subMillisecond) {
          risk('warning', 'sub-millisecond', `${facts.subMillisecond} row(s) have digits below the millisecond, which the Datastore client cannot write (it encodes Date): they are dropped; map the column as string to keep them`);
        } else if (facts?.subMillisecond === undefined) {
          risk('info', 'sub-millisecond', `${col.columnType} may hold microseconds; the Datastore client writes milliseconds`);
        }
      }
      return 'timestamp';
    case 'date':
      dateRisks(col, facts, risk);
      return 'date';
    case 'time':
    case 'string':
    case 'enum':
      return 'string';
    case 'binary':
      return 'blob';
    case 'json':
      return 'entity';
    case 'set':
      return 'array';
    case 'bit':
      if (bitWidth(col) === 1) return 'boolean';
      if (bitWidth(col) === 64) risk('warning', 'bit64', 'BIT(64) values above 2^63−1 go to the dead letters');
      return 'int';
  }
}

/**
 * A DATETIME holds a wall-clock time and no zone. When none is declared and the server's time_zone
 * or a UTC twin column says the values are local times, reading them as UTC would shift every
 * instant: the table is refused until a zone is declared. A declared zone with DST: the rows whose
 * time a DST change skipped or repeated have no single instant and go to the dead letters.
 */
function zoneRisks(
  /** `table.columns.column`, for the config path in the advice. */
  where: string,
  declared: string | undefined,
  serverZone: string | undefined,
  facts: ColumnFacts | undefined,
  risk: (level: Risk['level'], code: string, msg: string) => void,
): void {
  const declare = `declare the zone the app wrote it in: migrate.sourceTimeZone, or migrate.tables.${where}.timeZone (an IANA zone such as Europe/Berlin; UTC if it is UTC)`;
  const differing = facts?.twinDiffering ?? 0;
  const offsets = facts?.twinMinOffset == null ? '' : facts.twinMinOffset === facts.twinMaxOffset ? ` by ${signed(facts.twinMinOffset)} min` : ` by ${signed(facts.twinMinOffset)} to ${signed(facts.twinMaxOffset!)} min`;
  if (declared === undefined) {
    if (serverZone !== undefined && !isUtcZone(serverZone)) {
      risk('error', 'timezone-unknown', `DATETIME of undeclared zone while the server's time_zone is ${serverZone}: NOW() and apps that follow the server write local times, which read as UTC would be off by the zone's offset; ${declare}`);
    } else if (differing > 0) {
      risk('error', 'timezone-unknown', `DATETIME of undeclared zone differs from its UTC twin ${facts!.twin} in ${differing} row(s)${offsets}: it holds local wall-clock times, which read as UTC would be that far off; ${declare}`);
    }
    return;
  }
  if (facts?.twin !== undefined && differing > 0 && isUtcZone(declared)) {
    risk('warning', 'timezone-twin', `declared ${declared}, yet it differs from its UTC twin ${facts.twin} in ${differing} row(s)${offsets}: check the declared zone`);
  }
  if (isUtcZone(declared) || /^[+-]\d{2}:\d{2}$/.test(declared)) return;
  const gap = facts?.dstGap ?? 0;
  const overlap = facts?.dstOverlap ?? 0;
  if (gap + overlap > 0) {
    risk(
      'warning',
      'dst-wall-clock',
      `${gap} row(s) hold a ${declared} time skipped by a DST change (it never happened) and ${overlap} one repeated by it (it happened twice): no single instant, so they go to the dead letters, never guessed; correct those rows (a UTC twin column says which instant was meant)`,
    );
  } else {
    const checked = facts?.dstGap !== undefined ? ' (none in the data now)' : '';
    risk('info', 'dst', `DATETIME read as ${declared} wall-clock time: a time a DST change skipped or repeated has no single instant and goes to the dead letters${checked}`);
  }
}

function signed(minutes: number): string {
  return minutes > 0 ? `+${minutes}` : String(minutes);
}

function dateRisks(col: ColumnInfo, facts: ColumnFacts | undefined, risk: (level: Risk['level'], code: string, msg: string) => void): void {
  if (facts?.zeroDates) risk('warning', 'zero-dates', `${facts.zeroDates} row(s) hold the zero date 0000-00-00: written as null (counted in the run summary)`);
  if (facts?.partialZeroDates) risk('warning', 'invalid-dates', `${facts.partialZeroDates} row(s) hold a date with a zero month or day: no real date, they go to the dead letters`);
}

/** users → User, chat_messages → ChatMessage. */
export function defaultKind(table: string): string {
  const words = table.split(/[_\W]+/).filter(Boolean);
  let kind = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (kind.length > 3 && kind.endsWith('ies')) kind = `${kind.slice(0, -3)}y`;
  else if (kind.length > 1 && /[^su]s$/.test(kind)) kind = kind.slice(0, -1);
  return /^[A-Za-z]/.test(kind) ? kind : `T${kind}`;
}

/** The risks that refuse the table, if any. */
export function refusals(risks: readonly Risk[]): Risk[] {
  return risks.filter((r) => r.level === 'error');
}
