import type { ColumnInfo } from './types.js';

/** What kind of MySQL value a column holds, as far as the mapping cares. */
export type ColumnClass =
  | 'integer' // TINYINT..INT (signed or unsigned), YEAR: always fits a JS number
  | 'bigint'
  | 'decimal'
  | 'float'
  | 'datetime'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'string'
  | 'binary'
  | 'json'
  | 'enum'
  | 'set'
  | 'bit'
  | 'unsupported'; // spatial types and anything unknown

const CLASSES: Record<string, ColumnClass> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  year: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  datetime: 'datetime',
  timestamp: 'timestamp',
  date: 'date',
  time: 'time',
  char: 'string',
  varchar: 'string',
  tinytext: 'string',
  text: 'string',
  mediumtext: 'string',
  longtext: 'string',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  json: 'json',
  enum: 'enum',
  set: 'set',
  bit: 'bit',
  // MariaDB's own types, read by mysql2 as text
  uuid: 'string',
  inet4: 'string',
  inet6: 'string',
};

export function classify(column: ColumnInfo): ColumnClass {
  return CLASSES[column.dataType] ?? 'unsupported';
}

/** TINYINT(1): the MySQL idiom for a boolean (a boolean only when the data holds nothing but 0/1). */
export function isTinyintOne(column: ColumnInfo): boolean {
  return column.dataType === 'tinyint' && /^tinyint\(1\)/.test(column.columnType);
}

/** BIT(n)'s n. */
export function bitWidth(column: ColumnInfo): number {
  return Number(/^bit\((\d+)\)/.exec(column.columnType)?.[1] ?? column.numericPrecision ?? 1);
}

/** A collation that compares case-insensitively (…_ci), or ignoring accents (…_ai_ci). */
export function isCaseInsensitive(collation: string | null): boolean {
  return collation !== null && /_ci$/.test(collation);
}

/**
 * A DATETIME column's UTC twin: WordPress-style schemas keep `post_date` (local wall clock) beside
 * `post_date_gmt` (UTC). The twin is `<name>_gmt` or `<name>_utc` (any case), a DATETIME or TIMESTAMP.
 */
export function utcTwin(columns: readonly ColumnInfo[], name: string): string | undefined {
  const wanted = new Set([`${name}_gmt`, `${name}_utc`].map((n) => n.toLowerCase()));
  return columns.find((c) => wanted.has(c.name.toLowerCase()) && (classify(c) === 'datetime' || classify(c) === 'timestamp'))?.name;
}
