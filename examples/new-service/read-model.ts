import type { Datastore, Key, Transaction } from '@google-cloud/datastore';
import type { Entity } from './render.js';
import { inKeyOrder, KINDS } from './store.js';

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
 * the new service's own writes keep it right in the transaction that writes the entity, and what
 * legacy writes reaches it through `migrate follow`'s onChange hook (read-model-hook.ts), which
 * applies the same edits (joinEdits, hostEdits…) in a transaction of its own. A missing index
 * entity reads as empty lists: a user nobody has joined or hosted anything for. The chat history's
 * list (chat-history.ts) catches up with follow's messages by itself.
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

/** An index entity as it is saved: the lists unindexed (nothing ever queries them). */
export interface IndexEntity {
  key: Key;
  data: Record<string, unknown>;
  excludeFromIndexes: string[];
}

export function indexEntity(key: Key, kind: IndexKind, value: object): IndexEntity {
  const names = LISTS[kind] as readonly string[];
  return { key, data: value as Record<string, unknown>, excludeFromIndexes: names.map((n) => `${n}[]`) };
}

/**
 * Where index entities are read and saved together: the new service's own transaction
 * (serviceTransaction) or the one follow's onChange hook runs in (read-model-hook.ts).
 */
export interface IndexTransaction {
  key(kind: IndexKind, id: number): Key;
  /** In the order of `keys`, undefined where absent. */
  get(keys: Key[]): Promise<(Entity | undefined)[]>;
  save(entities: IndexEntity[]): void;
}

export function serviceTransaction(ds: Datastore, tx: Transaction): IndexTransaction {
  return {
    key: (kind, id) => ds.key([kind, id]),
    get: async (keys) => inKeyOrder(ds, keys, (await tx.get(keys))[0] as Entity[]),
    save: (entities) => tx.save(entities),
  };
}

/** One change to the lists of one index entity. */
export interface IndexEdit {
  kind: IndexKind;
  id: number;
  change(lists: Record<string, number[]>): void;
}

/** A user joined an activity: the activity lists the user, the user lists the activity. */
export function joinEdits(activityId: number, userId: number): IndexEdit[] {
  return [
    { kind: INDEX_KINDS.activity, id: activityId, change: (l) => insertSorted(l.participants!, userId) },
    { kind: INDEX_KINDS.user, id: userId, change: (l) => insertSorted(l.joined!, activityId) },
  ];
}

/** A user left an activity (their participation was deleted). */
export function leaveEdits(activityId: number, userId: number): IndexEdit[] {
  return [
    { kind: INDEX_KINDS.activity, id: activityId, change: (l) => removeFrom(l.participants!, userId) },
    { kind: INDEX_KINDS.user, id: userId, change: (l) => removeFrom(l.joined!, activityId) },
  ];
}

/** A user hosts an activity (`hosted: false`: no longer, deleted or handed over). */
export function hostEdits(activityId: number, hostId: number, hosted = true): IndexEdit[] {
  return [{ kind: INDEX_KINDS.user, id: hostId, change: (l) => (hosted ? insertSorted(l.hosted!, activityId) : removeFrom(l.hosted!, activityId)) }];
}

/**
 * Applies `edits` with one read and one save per index entity: two edits of one entity in one
 * transaction would otherwise both start from the stored lists and the second save would drop the
 * first. The edits add or remove ids, so applying them twice is applying them once (what follow's
 * at-least-once delivery asks of its hooks).
 */
export async function applyEdits(tx: IndexTransaction, edits: readonly IndexEdit[]): Promise<void> {
  const byEntity = new Map<string, { kind: IndexKind; id: number; edits: IndexEdit[] }>();
  for (const e of edits) {
    const id = `${e.kind}:${e.id}`;
    if (!byEntity.has(id)) byEntity.set(id, { kind: e.kind, id: e.id, edits: [] });
    byEntity.get(id)!.edits.push(e);
  }
  const entities = [...byEntity.values()];
  const keys = entities.map((e) => tx.key(e.kind, e.id));
  const stored = await tx.get(keys);
  tx.save(
    entities.map((e, i) => {
      const value = lists<Record<string, number[]>>(e.kind, stored[i]);
      for (const edit of e.edits) edit.change(value);
      return indexEntity(keys[i]!, e.kind, value);
    }),
  );
}

/** Adds `id` to a sorted list unless it is there. */
export function insertSorted(list: number[], id: number): void {
  if (list.includes(id)) return;
  list.push(id);
  list.sort((a, b) => a - b);
}

/** Removes `id` from a list if it is there. */
function removeFrom(list: number[], id: number): void {
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1);
}

/** The key of a Participation (child of its Activity, key name "activity_id:user_id"). */
export function participationKey(ds: Datastore, activityId: number, userId: number): Key {
  return ds.key([KINDS.activity, activityId, KINDS.participation, `${activityId}:${userId}`]);
}

