import type { Datastore, Entity as DsEntity, Key, Transaction } from '@google-cloud/datastore';
import type { Entity } from './render.js';
import { KINDS } from './store.js';

/**
 * The new service's read model: denormalised id lists, one entity per user and per activity, so
 * that the profile, a user's activities and an activity are read by one or two lookups by key. The
 * Datastore emulator answers a property-equality query by scanning the whole kind (over 12,000
 * Participations: ~140 ms unloaded, ~540 ms with four in flight), while a lookup of ten keys takes a
 * few milliseconds; Datastore's own indexes would not need this.
 *
 *   UserIndex(user id)         { hosted: activity ids, joined: activity ids }
 *   ActivityIndex(activity id) { participants: user ids, chats: chat ids }
 *
 * Built from the migrated entities by buildReadModel (build-read-model.ts), after `migrate run`;
 * the new service's own writes keep it right in the transaction that writes the entity. A missing
 * index entity reads as empty lists: a user nobody has joined or hosted anything for. What legacy
 * writes and `migrate follow` carries over reaches the kinds, not these lists (rebuild them). The
 * chat history's list (chat-history.ts) catches up with follow's messages by itself: they arrive
 * while the chat routes move.
 */
export const INDEX_KINDS = { user: 'UserIndex', activity: 'ActivityIndex' } as const;

export interface UserIndex {
  hosted: number[];
  joined: number[];
}
export interface ActivityIndex {
  participants: number[];
  chats: number[];
}

const LISTS = {
  [INDEX_KINDS.user]: ['hosted', 'joined'],
  [INDEX_KINDS.activity]: ['participants', 'chats'],
} as const;

type IndexKind = (typeof INDEX_KINDS)[keyof typeof INDEX_KINDS];

/** Lists read back from an index entity; absent ones (never written, or stored empty) are []. */
export function lists<T>(kind: IndexKind, entity: Entity | undefined): T {
  return Object.fromEntries(LISTS[kind].map((name) => [name, ((entity?.[name] as unknown[] | undefined) ?? []).map(Number)])) as T;
}

/** The entity to save for an index: the lists unindexed (nothing ever queries them). */
export function indexEntity(ds: Datastore, kind: IndexKind, id: number, value: object): DsEntity {
  const names = LISTS[kind] as readonly string[];
  return { key: ds.key([kind, id]), data: value, excludeFromIndexes: names.map((n) => `${n}[]`) };
}

/** An index entity of `kind` read inside `tx`, changed by `change` and saved in the same transaction. */
export async function updateIndex<T extends object>(tx: Transaction, ds: Datastore, kind: IndexKind, id: number, change: (value: T) => void): Promise<void> {
  const [entity] = await tx.get(ds.key([kind, id]));
  const value = lists<T>(kind, entity as Entity | undefined);
  change(value);
  tx.save(indexEntity(ds, kind, id, value));
}

/** Adds `id` to a sorted list unless it is there. */
export function insertSorted(list: number[], id: number): void {
  if (list.includes(id)) return;
  list.push(id);
  list.sort((a, b) => a - b);
}

/** The key of a Participation (child of its Activity, key name "activity_id:user_id"). */
export function participationKey(ds: Datastore, activityId: number, userId: number): Key {
  return ds.key([KINDS.activity, activityId, KINDS.participation, `${activityId}:${userId}`]);
}

