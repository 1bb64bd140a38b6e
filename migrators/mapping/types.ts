/**
 * The plain data the type mapping works on: what introspection learns about a table, the mapping
 * derived from it (and from the config), and what mapping one row yields. No I/O anywhere in
 * migrators/mapping/ except load-module.ts.
 *
 * Agreed with migrators engineer B (run / status / verify / sync):
 * - run:    `mapRow(mapping, row)` (map-row.ts) → `{ ok, key, data, excludeFromIndexes, approxBytes }`;
 *           `result.key` is what `ds.key(...)` takes; `zeroDates` counts nulled zero dates.
 * - verify: `canonicalRow(mapping, row)` and `canonicalEntity(entity)` (canonical.ts) give
 *           `Record<property, string>` on equal terms (entities read back with `wrapNumbers: true`);
 *           `canonicalValue(value)` encodes one read-back value; `keyString(keyPath)` / `entityKeyString(key)`
 *           give one string per key on both sides.
 * - config → mapping: `buildMapping(table, config, { sourceTimeZone, facts })` (build-mapping.ts) after
 *           `validateTableConfigs(...)` (validate.ts), which throws the catalogued errors; all of it in one
 *           call: `loadMappings(migrate, conn, options)` (migrators/plan/load-mappings.ts), the path plan,
 *           run, verify and sync share (introspect, validate, facts, buildMapping, refusals, transforms).
 * - MySQL:  `introspect(conn, database, tables?)` and `gatherFacts(conn, table, scope)` (migrators/mysql/),
 *           `utcSession(conn)` (migrators/mysql/session.ts), or a pool made with createMysqlPool(url, { utcSession: true }), before reading TIMESTAMP values.
 */
import type { PathType } from '@google-cloud/datastore';
import type { COLUMN_TYPES } from '../../config/migrate-schema.js';

/** One row of information_schema.COLUMNS, in the shape the mapping needs. */
export interface ColumnInfo {
  name: string;
  /** 1-based position in the table. */
  ordinal: number;
  /** DATA_TYPE, lower-case: 'bigint', 'varchar', 'datetime', 'json'… (MariaDB's JSON alias is reported as 'json'). */
  dataType: string;
  /** COLUMN_TYPE as declared: 'tinyint(1)', 'bigint(20) unsigned', "enum('a','b')". */
  columnType: string;
  nullable: boolean;
  unsigned: boolean;
  /** CHARACTER_OCTET_LENGTH: the most bytes a string/blob value can take (null for non-strings). */
  maxBytes: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  /** DATETIME_PRECISION: fractional-second digits of DATETIME/TIMESTAMP/TIME (0..6). */
  datetimePrecision: number | null;
  /** COLLATION_NAME, e.g. 'utf8mb4_unicode_ci' (null for non-strings). */
  collation: string | null;
  /** EXTRA says ON UPDATE CURRENT_TIMESTAMP: MySQL itself keeps the column current (a good updatedAt). */
  onUpdateNow?: boolean;
  /** EXTRA says AUTO_INCREMENT: each new row's value is above every earlier one. */
  autoIncrement?: boolean;
  /** The default is CURRENT_TIMESTAMP: a new row gets the time of its insert. */
  defaultNow?: boolean;
}

export interface TableInfo {
  name: string;
  /** In ordinal order. */
  columns: ColumnInfo[];
  /** Primary-key column names in key order; empty when the table has none. */
  primaryKey: string[];
  /** TABLE_ROWS: an estimate (exact only for MyISAM/Aria). */
  rowEstimate: number;
  engine: string | null;
}

/** Data-derived facts about one column (all optional: a plan may run without reading data). */
export interface ColumnFacts {
  /** MIN and MAX as exact decimal strings (integer columns only). */
  min?: string | null;
  max?: string | null;
  /** Rows whose date is entirely zero (0000-00-00…). */
  zeroDates?: number;
  /** Rows whose date has a zero month or day but is not entirely zero (2024-00-15). */
  partialZeroDates?: number;
  /** Rows whose fractional seconds have digits below the millisecond. */
  subMillisecond?: number;
  /** Largest value in bytes (strings and blobs). */
  maxBytes?: number | null;
  /** A DATETIME column's UTC twin (`post_date` → `post_date_gmt`), and how the two compare. */
  twin?: string;
  /** Rows where both hold a real date and they differ. */
  twinDiffering?: number;
  /** The smallest and largest difference (column − twin) in minutes among those rows. */
  twinMinOffset?: number | null;
  twinMaxOffset?: number | null;
  /** Rows whose wall-clock time a DST change of the column's zone skipped / repeated. */
  dstGap?: number;
  dstOverlap?: number;
}

export interface TableFacts {
  rows?: number;
  columns: Record<string, ColumnFacts>;
  /** Rows whose column bytes alone exceed Datastore's entity limit. */
  oversizedRows?: number;
}

/**
 * What a property holds in Datastore.
 * int: integerValue (exact int64). double: doubleValue. decimal: the exact decimal as a string.
 * timestamp: timestampValue (milliseconds: see README, the client cannot write microseconds).
 * date: 'YYYY-MM-DD' string. json: the JSON text as a string. entity: a JSON object as an embedded
 * entity, any other JSON value as its text. array: a SET's members as an array of strings.
 */
export type PropertyType = (typeof COLUMN_TYPES)[number];

export interface PropertyMapping {
  column: string;
  property: string;
  type: PropertyType;
  /** false: excluded from indexes for every row. Values over 1500 bytes are always excluded. */
  indexed: boolean;
  /** For DATETIME-like sources: the zone the wall-clock value was written in. */
  timeZone?: string;
}

/** 'id': one integer PK column → numeric id. 'name': anything else → key name (composite: `a:b`). */
export type KeyStrategy = 'id' | 'name';

/** row (column → mysql2 value) and the mapped entity data → the entity data to write. */
export type RowTransform = (row: Readonly<Record<string, unknown>>, entity: Record<string, unknown>) => Record<string, unknown>;

export interface TableMapping {
  table: string;
  kind: string;
  key: { columns: string[]; strategy: KeyStrategy };
  /** Ancestor: the key path starts with (kind, value of column). */
  parent?: { kind: string; column: string; strategy: KeyStrategy };
  /** Column holding the last-modified time (for sync). */
  updatedAt?: string;
  properties: PropertyMapping[];
  /** What the keys' partition (project, database, namespace) adds to an entity's size:
   * `partitionBytes(...)` of the target, set by loadMappings (entity-size.ts assumes 62 without it). */
  partitionBytes?: number;
  /** The module path from the config, for display; the function itself is in `transform`. */
  transformModule?: string;
  transform?: RowTransform;
}

/** Kinds and identifiers alternating: ['Chat', Int(7), 'Message', Int(12)] or ['Pair', 'a:b']. */
export type KeyPath = PathType[];

export type MapResult =
  | {
      ok: true;
      key: KeyPath;
      /** Values ready for @google-cloud/datastore: Int, Double, Date, Buffer, string, boolean, null, object, array. */
      data: Record<string, unknown>;
      excludeFromIndexes: string[];
      /** Datastore's storage size of the entity (key + properties), for commit byte caps. */
      approxBytes: number;
      /** Zero dates turned into null in this row (to be counted). */
      zeroDates: number;
    }
  | {
      ok: false;
      /** The row's primary key, encoded as a key name would be (`7`, `a:b`). */
      key: string;
      reason: string;
    };

export type RiskLevel = 'error' | 'warning' | 'info';

/** Something the plan must tell the engineer. 'error' means the table is refused. */
export interface Risk {
  level: RiskLevel;
  /** A stable short id: 'no-primary-key', 'int64-overflow', 'zero-dates'… */
  code: string;
  table: string;
  column?: string;
  message: string;
}

/** Datastore's documented limit on an entity's size (1 MiB − 4 bytes; the emulator allows 1 MiB). */
export const MAX_ENTITY_BYTES = 1_048_572;
/** Datastore's limit on one property value (1 MiB − 89 bytes); the emulator enforces it too. */
export const MAX_VALUE_BYTES = 1_048_487;
/** Datastore refuses to index a string or blob longer than this. */
export const MAX_INDEXED_BYTES = 1500;
export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
