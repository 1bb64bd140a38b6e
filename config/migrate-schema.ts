import { z } from 'zod';
import { issue, mysqlUrl } from './refinements.js';

/**
 * A MySQL table or column name as MySQL allows it (1–64 characters, not ending in a space): legacy
 * schemas have `first name` and `order.total`; every SQL strangler writes quotes identifiers.
 */
const identifier = z
  .string()
  .regex(/^[^\u0000]{1,64}$/u, 'expected a MySQL name of 1 to 64 characters')
  .regex(/[^ ]$/, 'a MySQL name does not end with a space');
const kindName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a kind name uses letters, digits and _ (and does not start with _ or a digit)');

/** "UTC", an IANA zone ("Europe/Paris") or a fixed offset ("+02:00"). */
export const timeZoneName = z.string().superRefine((v, ctx) => {
  if (/^[+-](0\d|1[0-4]):[0-5]\d$/.test(v)) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
  } catch {
    issue(ctx, 'STRANGLER_E_CONFIG_VALUE', `unknown time zone "${v}"`, 'UTC');
  }
});

/** Property types a column can map to; README "Migrations" documents each (types.ts: PropertyType). */
export const COLUMN_TYPES = ['string', 'int', 'double', 'boolean', 'timestamp', 'date', 'decimal', 'json', 'entity', 'blob', 'array'] as const;

const column = z.strictObject({
  /** Leave the column out of the entity. */
  skip: z.boolean().default(false),
  /** Property name in Datastore (default: the column name). */
  rename: z.string().min(1).optional(),
  /** Force a property type instead of the one derived from the column. */
  type: z.enum(COLUMN_TYPES).optional(),
  /** Time zone of a DATETIME column, when it differs from migrate.sourceTimeZone. */
  timeZone: timeZoneName.optional(),
  /** false: exclude from indexes. */
  index: z.boolean().optional(),
});

const table = z.strictObject({
  kind: kindName,
  /** Primary-key column(s); default: the table's primary key. */
  key: z.union([identifier, z.array(identifier).min(1)]).optional(),
  /** Column holding the last-modified time, for `migrate sync`. */
  updatedAt: identifier.optional(),
  /** Ancestor: the entity's key gets parent (kind, value of column). */
  parent: z.strictObject({ kind: kindName, column: identifier }).optional(),
  columns: z.record(identifier, column).default({}),
  /** A module path whose default export maps (row, entity) to the entity to write. */
  transform: z.string().min(1).optional(),
  /** `migrate follow`: a module whose default export receives each applied batch's changes of this
   * table, to keep data derived from it (a read model, a cache); see migrators/follow/change-hook.ts. */
  onChange: z.string().min(1).optional(),
  /** `migrate reverse`: the new service's writes to this kind back into the table. */
  reverse: z
    .strictObject({
      /** The entity property the new service sets to the time of each write. */
      updatedAt: z.string().min(1),
      /** A property the new service sets instead of deleting: the row is deleted in MySQL. */
      tombstone: z.string().min(1).optional(),
      /** newest: a row changed in MySQL after the entity keeps MySQL's version; datastore: the entity wins. */
      conflict: z.enum(['newest', 'datastore']).default('newest'),
      /** Deletes by key-set comparison as well: a row whose entity the new service deleted is deleted. */
      keySet: z.boolean().default(false),
    })
    .optional(),
});

export const migrateSchema = z.strictObject({
  source: mysqlUrl,
  /** Time zone in which the legacy app wrote DATETIME values. Not declared: read as UTC, and a table
   * is refused when the server's time_zone or a UTC twin column says its values are local times. */
  sourceTimeZone: timeZoneName.optional(),
  target: z.strictObject({
    projectId: z.string().regex(/^[a-z][a-z0-9-]{3,61}[a-z0-9]$|^[a-z][a-z0-9-]*$/, 'expected a Google Cloud project id'),
    namespace: z.string().default(''),
    databaseId: z.string().optional(),
  }),
  /** `migrate follow`: binlog change data capture (README "migrate follow"). */
  follow: z
    .strictObject({
      /** The replica id follow announces to MySQL: unique among the server's replicas. */
      replicaId: z.number().int().min(1).max(4294967295).default(4174),
      /** How long a failing onChange hook is retried (with backoff) before follow stops. */
      hookRetryMs: z.number().int().min(0).default(120_000),
    })
    .default({ replicaId: 4174, hookRetryMs: 120_000 }),
  /** `migrate reverse`: the new service's writes back into MySQL. */
  reverse: z
    .strictObject({
      /** The session server_id reverse writes with: follow skips what it writes (no loop). */
      serverId: z.number().int().min(1).max(4294967295).default(4175),
    })
    .default({ serverId: 4175 }),
  /** Where rows that cannot be written are recorded. */
  deadLetters: z.string().min(1).default('./.strangler/dead-letters.jsonl'),
  tables: z.record(identifier, table).default({}),
});

export type MigrateConfig = z.output<typeof migrateSchema>;
export type TableConfig = MigrateConfig['tables'][string];
export type ColumnConfig = TableConfig['columns'][string];
