import type { Datastore, Entity as DsEntity, Key } from '@google-cloud/datastore';
import type { Entity } from './render.js';
import { CHAT_INDEX, chatIndexEntity } from './chat-history.js';
import { indexEntity, INDEX_KINDS, insertSorted, type ActivityIndex, type UserIndex } from './read-model.js';
import { KINDS } from './store.js';

export interface ReadModelSummary {
  users: number;
  activities: number;
  chats: number;
  /** Index entities of earlier builds that no longer index anything, deleted. */
  deleted: number;
  ms: number;
}

const BATCH = 500;
const IN_FLIGHT = 4;

async function all(ds: Datastore, kind: string, keysOnly = false): Promise<Entity[]> {
  const query = ds.createQuery(kind);
  const [entities] = await (keysOnly ? query.select('__key__') : query).run();
  return entities as Entity[];
}

const keyOf = (ds: Datastore, e: Entity) => e[ds.KEY as unknown as string] as Key;
const idOf = (ds: Datastore, e: Entity) => Number(keyOf(ds, e).id);

function entry<T>(map: Map<number, T>, id: number, empty: () => T): T {
  let value = map.get(id);
  if (!value) map.set(id, (value = empty()));
  return value;
}

/**
 * Derives the read model (read-model.ts) from the migrated entities, whole: run it after `migrate
 * run` and before the new service takes writes (it reads every Activity, Participation and Chat,
 * and the keys of every Message).
 * Index entities that no longer index anything are deleted.
 */
export async function buildReadModel(ds: Datastore): Promise<ReadModelSummary> {
  const started = performance.now();
  const [activities, participations, chats, messages] = await Promise.all([all(ds, KINDS.activity), all(ds, KINDS.participation), all(ds, KINDS.chat), all(ds, KINDS.message, true)]);
  const users = new Map<number, UserIndex>();
  const acts = new Map<number, ActivityIndex>();
  const newUser = () => ({ hosted: [], joined: [] });
  const newActivity = () => ({ participants: [], chats: [] });
  for (const a of activities) insertSorted(entry(users, Number(a.host_id), newUser).hosted, idOf(ds, a));
  for (const p of participations) {
    insertSorted(entry(users, Number(p.user_id), newUser).joined, Number(p.activity_id));
    insertSorted(entry(acts, Number(p.activity_id), newActivity).participants, Number(p.user_id));
  }
  const history = new Map<number, number[]>(chats.map((c) => [idOf(ds, c), []]));
  let through = 0;
  for (const m of messages) {
    const id = idOf(ds, m);
    entry(history, Number(keyOf(ds, m).parent!.id), () => []).push(id);
    through = Math.max(through, id);
  }
  for (const c of chats) if (c.activity_id !== null && c.activity_id !== undefined) insertSorted(entry(acts, Number(c.activity_id), newActivity).chats, idOf(ds, c));

  const wanted: DsEntity[] = [
    ...[...users].map(([id, v]) => indexEntity(ds.key([INDEX_KINDS.user, id]), INDEX_KINDS.user, v)),
    ...[...acts].map(([id, v]) => indexEntity(ds.key([INDEX_KINDS.activity, id]), INDEX_KINDS.activity, v)),
    ...[...history].map(([id, ids]) => chatIndexEntity(ds, id, { messages: ids.sort((a, b) => a - b), through })),
  ];
  const keep = new Set(wanted.map((e) => (e.key as Key).path.join('/')));
  const earlier = (await Promise.all([...Object.values(INDEX_KINDS), CHAT_INDEX].map((k) => all(ds, k, true)))).flat().map((e) => keyOf(ds, e));
  const stale = earlier.filter((k) => !keep.has(k.path.join('/')));
  await inBatches(wanted, (batch) => ds.upsert(batch));
  await inBatches(stale, (batch) => ds.delete(batch));
  return { users: users.size, activities: acts.size, chats: history.size, deleted: stale.length, ms: Math.round(performance.now() - started) };
}

async function inBatches<T>(items: T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let b = batches.shift(); b; b = batches.shift()) await write(b);
    }),
  );
}
