import type { Datastore, Entity } from '@google-cloud/datastore';
import type mysql from 'mysql2/promise';

/**
 * Copies the seeded legacy tables into Datastore exactly as PRODUCT.md's type mapping and
 * examples/demo/strangler.yaml say the migrators will: single integer PK → numeric id, composite
 * PK → key name "a:b", parent → ancestor path, INT → integer, BIGINT → int64, DATETIME →
 * timestamp (UTC), DATE → 'YYYY-MM-DD', DECIMAL → exact string, TINYINT(1) → boolean, JSON
 * (type: entity) → embedded entity, skipped columns left out, every column under its own name.
 * A stand-in until the demo runs the real `migrate run`; rows come through the lossless mysql2
 * options (BIGINT/DECIMAL/dates as strings).
 */
type Mapping = 'int' | 'int64' | 'string' | 'timestamp' | 'date' | 'decimal' | 'boolean' | 'entity' | 'skip';

interface TableMapping {
  table: string;
  key: (row: Row, ds: Datastore) => (string | number)[];
  columns: Record<string, Mapping>;
  unindexed?: string[];
}

type Row = Record<string, unknown>;

const TABLES: TableMapping[] = [
  {
    table: 'users',
    key: (r) => ['User', Number(r.id)],
    columns: {
      id: 'int', email: 'string', password_hash: 'skip', first_name: 'string', last_name: 'string', city: 'string',
      birthdate: 'date', bio: 'string', links: 'entity', is_verified: 'boolean', last_seen_at: 'timestamp',
      created_at: 'timestamp', updated_at: 'timestamp',
    },
    unindexed: ['bio'],
  },
  {
    table: 'activities',
    key: (r) => ['Activity', Number(r.id)],
    columns: {
      id: 'int', host_id: 'int', title: 'string', description: 'string', city: 'string', starts_at: 'timestamp',
      capacity: 'int', price: 'decimal', is_public: 'boolean', created_at: 'timestamp', updated_at: 'timestamp',
    },
    unindexed: ['description'],
  },
  {
    table: 'activity_participants',
    key: (r) => ['Activity', Number(r.activity_id), 'Participation', `${r.activity_id}:${r.user_id}`],
    columns: { activity_id: 'int', user_id: 'int', joined_at: 'timestamp', updated_at: 'timestamp' },
  },
  {
    table: 'chats',
    key: (r) => ['Chat', Number(r.id)],
    columns: { id: 'int', activity_id: 'int', kind: 'string', title: 'string', created_at: 'timestamp', updated_at: 'timestamp' },
  },
  {
    table: 'messages',
    key: (r) => ['Chat', Number(r.chat_id), 'Message', Number(r.id)],
    columns: {
      id: 'int64', chat_id: 'int', sender_id: 'int', body: 'string', sent_at: 'timestamp', edited_at: 'timestamp', updated_at: 'timestamp',
    },
    unindexed: ['body'],
  },
];

function convert(ds: Datastore, mapping: Mapping, value: unknown): unknown {
  if (value === null) return null;
  switch (mapping) {
    case 'int':
      return Number(value);
    case 'int64':
      return ds.int(String(value));
    case 'timestamp':
      return new Date(`${String(value).replace(' ', 'T')}Z`);
    case 'boolean':
      return Number(value) === 1;
    case 'entity':
      return JSON.parse(String(value)) as unknown;
    default:
      return value;
  }
}

export function entityOf(ds: Datastore, mapping: TableMapping, row: Row): Entity {
  const data: Record<string, unknown> = {};
  for (const [column, type] of Object.entries(mapping.columns)) {
    if (type !== 'skip') data[column] = convert(ds, type, row[column]);
  }
  return { key: ds.key(mapping.key(row, ds)), data, excludeFromIndexes: mapping.unindexed ?? [] };
}

/** Writes every row of the demo tables as entities; returns the count per kind. */
export async function writeMappedEntities(pool: mysql.Pool, ds: Datastore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const mapping of TABLES) {
    const [rows] = await pool.query(`SELECT * FROM \`${mapping.table}\``);
    const entities = (rows as Row[]).map((r) => entityOf(ds, mapping, r));
    for (let i = 0; i < entities.length; i += 500) await ds.upsert(entities.slice(i, i + 500));
    counts[mapping.table] = entities.length;
  }
  return counts;
}
