import type { Datastore, Key, Transaction } from '@google-cloud/datastore';
import { HighWater } from './chat-history.js';
import type { Entity } from './render.js';

/**
 * The entities the migrators write from the legacy tables (examples/demo/strangler.yaml):
 *   users → User (numeric id), activities → Activity (numeric id), chats → Chat (numeric id),
 *   activity_participants → Participation, child of its Activity, key name "activity_id:user_id",
 *   messages → Message, child of its Chat, numeric id.
 * Every column is a property under its own name; ids are read from the keys. The new service's own
 * lists of related ids (its read model, read-model.ts) make every read a lookup by key.
 */
export const KINDS = { user: 'User', activity: 'Activity', participation: 'Participation', chat: 'Chat', message: 'Message', sequence: 'IdSequence' } as const;

/**
 * Messages created by the new service take ids from this floor up, from a counter entity, so they
 * can never collide with the AUTO_INCREMENT ids the legacy app hands out while both still write.
 */
export const NEW_MESSAGE_ID_FLOOR = 1_000_000_000;

/** Entities a lookup found (in any order) lined up with the keys asked for, undefined where missing. */
export function inKeyOrder(ds: Datastore, keys: Key[], entities: Entity[]): (Entity | undefined)[] {
  const byPath = new Map(entities.map((e) => [(e[ds.KEY as unknown as string] as Key).path.join('/'), e]));
  return keys.map((k) => byPath.get(k.path.join('/')));
}

export interface Found {
  id: number;
  entity: Entity;
}

export class Store {
  /** The highest message id in Datastore, shared by the chat history reads (chat-history.ts). */
  readonly highWater: HighWater;

  constructor(readonly ds: Datastore) {
    this.highWater = new HighWater(ds, KINDS.message);
  }

  key(kind: string, id: number): Key {
    return this.ds.key([kind, id]);
  }

  async get(kind: string, id: number): Promise<Entity | undefined> {
    const [entity] = await this.ds.get(this.key(kind, id));
    return entity as Entity | undefined;
  }

  /**
   * Several entities of any kinds in one lookup, in the order of `keys` (undefined where missing):
   * a lookup by key costs the emulator a few milliseconds where a query scans the whole kind.
   */
  async lookup(keys: Key[]): Promise<(Entity | undefined)[]> {
    if (keys.length === 0) return [];
    const [entities] = await this.ds.get(keys);
    return inKeyOrder(this.ds, keys, entities as Entity[]);
  }

  async children(kind: string, parent: Key, tx?: Transaction, keysOnly = false): Promise<Entity[]> {
    const query = (tx ?? this.ds).createQuery(kind).hasAncestor(parent);
    const [entities] = await (keysOnly ? query.select('__key__') : query).run();
    return entities as Entity[];
  }

  /** The numeric id of an entity's key (the client returns int64 ids as strings). */
  idOf(entity: Entity): number {
    return Number((entity[this.ds.KEY as unknown as string] as Key).id);
  }
}
