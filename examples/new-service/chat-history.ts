import type { Datastore, Transaction } from '@google-cloud/datastore';
import type { Entity } from './render.js';

/**
 * A chat's message ids for the history pages, read by key instead of by an ancestor query (over the
 * 50,000 Messages of the demo the emulator takes 150–250 ms per ancestor query with four in flight,
 * a lookup 5–10 ms). The list (kind ChatIndex, one entity per chat: `messages`, ascending, and
 * `through`, the highest message id in Datastore it is known complete up to) is kept by the new
 * service's own posts in their transaction. Legacy's messages reach Datastore through `migrate
 * follow` while the route moves, past the list: each read looks up the ids above `through` (less a
 * margin, for ids committed out of order) up to the highest id in Datastore, and a chat whose list
 * is missing or too far behind is listed by the ancestor query once and its list written again.
 */
export const CHAT_INDEX = 'ChatIndex';
/** Ids below `through` looked up again on every read: AUTO_INCREMENT ids may commit out of order. */
const MARGIN = 20;
/** Further behind than this, the ancestor query is cheaper than looking each id up. */
const PROBE_MAX = 300;
/** How old the highest id may be (one query over the whole kind; the emulator scans it). */
const HIGH_WATER_MS = 5000;

export interface ChatIndex {
  messages: number[];
  through: number;
}

export function chatIndexOf(entity: Entity | undefined): ChatIndex | undefined {
  if (entity === undefined) return undefined;
  return { messages: ((entity.messages as unknown[] | undefined) ?? []).map(Number), through: Number(entity.through ?? 0) };
}

export function chatIndexEntity(ds: Datastore, chatId: number, index: ChatIndex) {
  return { key: ds.key([CHAT_INDEX, chatId]), data: index, excludeFromIndexes: ['messages[]', 'through'] };
}

/** The highest message id in Datastore, read at most every HIGH_WATER_MS and shared by all reads. */
export class HighWater {
  private value: { id: number; at: number } | undefined;
  private pending: Promise<number> | undefined;

  /** @param kind the messages' kind, whose `id` property is read */
  constructor(
    private readonly ds: Datastore,
    private readonly kind: string,
  ) {}

  async current(): Promise<number> {
    if (this.value && Date.now() - this.value.at < HIGH_WATER_MS) return this.value.id;
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    // A stale value serves while the next one is read; only the first read waits.
    return this.value?.id ?? this.pending;
  }

  private async read(): Promise<number> {
    const [top] = await this.ds.createQuery(this.kind).order('id', { descending: true }).limit(1).run();
    const id = Number((top[0] as { id?: unknown } | undefined)?.id ?? 0);
    this.value = { id, at: Date.now() };
    return id;
  }
}

/** Merges ids into a chat's list in a transaction (a post may add one meanwhile). */
async function remember(ds: Datastore, chatId: number, ids: readonly number[], through: number, run: <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>): Promise<void> {
  await run(async (tx) => {
    const [entity] = await tx.get(ds.key([CHAT_INDEX, chatId]));
    const now = chatIndexOf(entity as Entity | undefined) ?? { messages: [], through: 0 };
    const merged = [...new Set([...now.messages, ...ids])].sort((a, b) => a - b);
    tx.save(chatIndexEntity(ds, chatId, { messages: merged, through: Math.max(now.through, through) }));
  });
}

export interface HistorySource {
  ds: Datastore;
  highWater: HighWater;
  inTransaction: <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;
  /** Every message id of the chat by the ancestor query (keys only). */
  allIds: (chatId: number) => Promise<number[]>;
  /** The chat's messages of these ids that exist, by id (one lookup). */
  lookup: (chatId: number, ids: readonly number[]) => Promise<Map<number, Entity>>;
}

/**
 * A page of a chat's history, oldest first: the `limit` messages below `before` (null: the newest).
 * Usually one lookup beside the chat's list: the page and the ids past the list's mark together.
 */
export async function chatPage(src: HistorySource, chatId: number, index: ChatIndex | undefined, before: number | null, limit: number): Promise<{ id: number; message: Entity }[]> {
  const pick = (list: readonly number[]) => list.filter((m) => before === null || m < before).slice(-limit);
  const high = await src.highWater.current();
  let list: number[];
  let fetched: Map<number, Entity>;
  if (index === undefined || high - index.through > PROBE_MAX) {
    const all = await src.allIds(chatId);
    await remember(src.ds, chatId, all, high, src.inTransaction);
    list = [...new Set([...(index?.messages ?? []), ...all])].sort((a, b) => a - b);
    fetched = await src.lookup(chatId, pick(list));
  } else {
    const known = new Set(index.messages);
    const window: number[] = [];
    for (let id = Math.max(1, index.through - MARGIN + 1); id <= high; id++) if (!known.has(id)) window.push(id);
    fetched = await src.lookup(chatId, [...pick(index.messages), ...window]);
    const found = window.filter((id) => fetched.has(id));
    if (found.length > 0 || high > index.through) await remember(src.ds, chatId, found, high, src.inTransaction);
    list = found.length === 0 ? index.messages : [...index.messages, ...found].sort((a, b) => a - b);
  }
  const ids = pick(list);
  // Follow's messages can move the page: fetch what the first lookup did not have (rarely anything).
  const missing = ids.filter((id) => !fetched.has(id));
  if (missing.length > 0) for (const [id, m] of await src.lookup(chatId, missing)) fetched.set(id, m);
  return ids.flatMap((id) => (fetched.has(id) ? [{ id, message: fetched.get(id)! }] : []));
}
