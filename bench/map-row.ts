/**
 * mapRow throughput: how many MySQL rows per second the type mapping turns into entities on one core,
 * against a hand-written conversion of the same row (the least a copy must do), and canonicalRow (what
 * verify computes per row). Run: npx tsx bench/map-row.ts [rows]
 */
import { Datastore } from '@google-cloud/datastore';
import { canonicalRow } from '../migrators/mapping/canonical.js';
import { mapRow } from '../migrators/mapping/map-row.js';
import type { TableMapping } from '../migrators/mapping/types.js';

const N = Number(process.argv[2] ?? 200_000);

const mapping: TableMapping = {
  table: 'messages',
  kind: 'Message',
  key: { columns: ['id'], strategy: 'id' },
  parent: { kind: 'Chat', column: 'chat_id', strategy: 'id' },
  properties: [
    { column: 'id', property: 'id', type: 'int', indexed: true },
    { column: 'chat_id', property: 'chatId', type: 'int', indexed: true },
    { column: 'author', property: 'author', type: 'string', indexed: true },
    { column: 'body', property: 'body', type: 'string', indexed: false },
    { column: 'score', property: 'score', type: 'double', indexed: true },
    { column: 'price', property: 'price', type: 'decimal', indexed: true },
    { column: 'seen', property: 'seen', type: 'boolean', indexed: true },
    { column: 'created_at', property: 'createdAt', type: 'timestamp', indexed: true, timeZone: 'Europe/Paris' },
    { column: 'day', property: 'day', type: 'date', indexed: true },
    { column: 'meta', property: 'meta', type: 'entity', indexed: false },
  ],
};

const rows = Array.from({ length: 1000 }, (_, i) => ({
  id: String(1_000_000 + i),
  chat_id: 7 + (i % 50),
  author: `user${i % 300}`,
  body: `message ${i} `.repeat(8),
  score: i / 7,
  price: `${i}.25`,
  seen: i % 2,
  created_at: `2024-0${1 + (i % 9)}-1${i % 10} 1${i % 10}:30:00.${String(i % 1000).padStart(6, '0')}`,
  day: `2024-03-1${i % 10}`,
  meta: `{"lang":"en","n":${i},"tags":["a","b"]}`,
}));

/** The same conversion written by hand for this one table: no type dispatch, no checks. */
function byHand(row: (typeof rows)[number]) {
  return {
    key: ['Chat', Datastore.int(String(row.chat_id)), 'Message', Datastore.int(row.id)],
    data: {
      id: Datastore.int(row.id),
      chatId: Datastore.int(String(row.chat_id)),
      author: row.author,
      body: row.body,
      score: Datastore.double(row.score),
      price: row.price,
      seen: row.seen === 1,
      createdAt: new Date(`${row.created_at.replace(' ', 'T').slice(0, 23)}+01:00`),
      day: row.day,
      meta: JSON.parse(row.meta) as unknown,
    },
    excludeFromIndexes: ['body', 'meta', 'meta.*'],
  };
}

function measure(name: string, f: (row: (typeof rows)[number]) => unknown): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += f(rows[i % rows.length]!) ? 1 : 0; // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += f(rows[i % rows.length]!) ? 1 : 0;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = N / s;
  console.log(`${name.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} rows/s  (${sink === 0 ? '!' : ''}${N} rows in ${s.toFixed(2)} s)`);
  return rate;
}

const hand = measure('hand-written conversion', byHand);
const mapped = measure('mapRow', (r) => mapRow(mapping, r));
const canonical = measure('canonicalRow (verify)', (r) => canonicalRow(mapping, r));
console.log(`\nmapRow / hand-written: ${(mapped / hand).toFixed(2)}×   canonicalRow / hand-written: ${(canonical / hand).toFixed(2)}×`);
