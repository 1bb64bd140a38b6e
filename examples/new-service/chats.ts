import type { Request, Response } from 'express';
import { currentUserId, HttpError, idParam, jsonObjectBody, PHP_INT_MAX, queryInt, sendJson } from './http.js';
import { CHAT_INDEX, chatIndexEntity, chatIndexOf, chatPage, type HistorySource } from './chat-history.js';
import { messageJson, type Entity } from './render.js';
import { KINDS, NEW_MESSAGE_ID_FLOOR, type Store } from './store.js';
import { inTransaction } from './transaction.js';

const PAGE = 50;
const PAGE_MAX = 100;
const MAX_LENGTH = 2000;

async function findChat(store: Store, id: number): Promise<void> {
  if (!(await store.get(KINDS.chat, id))) throw new HttpError(404, 'not_found', `chat ${id} not found`);
}

/** Where the history pages read a chat's ids (chat-history.ts). */
function historySource(store: Store): HistorySource {
  return {
    ds: store.ds,
    highWater: store.highWater,
    inTransaction: (work) => inTransaction(store.ds, work),
    allIds: async (chatId) => (await store.children(KINDS.message, store.key(KINDS.chat, chatId), undefined, true)).map((m) => store.idOf(m)),
    lookup: async (chatId, ids) => {
      const found = await store.lookup(ids.map((m) => store.ds.key([KINDS.chat, chatId, KINDS.message, m])));
      return new Map(found.flatMap((m, i) => (m ? [[ids[i]!, m] as const] : [])));
    },
  };
}

/** GET /api/chats/:id/messages?before=ID&limit=N — a page of history, oldest first. */
export async function listMessages(store: Store, req: Request, res: Response): Promise<void> {
  const id = idParam(req);
  const cursor = queryInt(req, 'before', null, 1, PHP_INT_MAX);
  // Every id is below a cursor this large: no bound at all, rather than a rounded key.
  const before = cursor !== null && cursor > Number.MAX_SAFE_INTEGER ? null : cursor;
  const limit = queryInt(req, 'limit', PAGE, 1, BigInt(PAGE_MAX))!;
  const [chat, indexEntity] = await store.lookup([store.key(KINDS.chat, id), store.key(CHAT_INDEX, id)]);
  if (!chat) throw new HttpError(404, 'not_found', `chat ${id} not found`);
  const page = await chatPage(historySource(store), id, chatIndexOf(indexEntity), before, limit);
  const messages = page.map((p) => messageJson(p.id, p.message));
  sendJson(res, 200, { chatId: id, messages, nextBefore: messages.length === limit ? messages[0]!.id : null });
}

/**
 * The highest message id Datastore holds. After a rollback legacy writes again, and MySQL's
 * AUTO_INCREMENT continues above the ids this service handed out (reverse inserted them): when the
 * route moves back here, the sequence must continue above legacy's ids (follow copied them here)
 * rather than hand one of them out again.
 */
async function highestMessageId(store: Store): Promise<number> {
  const [top] = await store.ds.createQuery(KINDS.message).order('id', { descending: true }).limit(1).run();
  return Number((top[0] as { id?: unknown } | undefined)?.id ?? 0);
}

/** POST /api/chats/:id/messages {"body": "…"} */
export async function postMessage(store: Store, req: Request, res: Response, now: () => Date): Promise<void> {
  const userId = currentUserId(req);
  const body = jsonObjectBody(req).body;
  if (typeof body !== 'string' || body.trim() === '' || Buffer.byteLength(body) > MAX_LENGTH) {
    throw new HttpError(422, 'invalid_body', `body must be a non-empty string of at most ${MAX_LENGTH} bytes`);
  }
  const id = idParam(req);
  await findChat(store, id);
  if (!(await store.get(KINDS.user, userId))) throw new HttpError(404, 'not_found', `user ${userId} not found`);
  const sentAt = new Date(Math.floor(now().getTime() / 1000) * 1000);
  const data = { chat_id: id, sender_id: userId, body, sent_at: sentAt, edited_at: null, updated_at: sentAt };
  const highest = await highestMessageId(store);
  const messageId = await inTransaction(store.ds, async (tx) => {
    const sequenceKey = store.ds.key([KINDS.sequence, KINDS.message]);
    const [sequence] = await tx.get(sequenceKey);
    const next = Math.max(Number(sequence?.next ?? 0), NEW_MESSAGE_ID_FLOOR, highest + 1);
    tx.save({ key: sequenceKey, data: { next: next + 1 } });
    // `id` as the migrators write it (the key column is a property too): verify compares it.
    tx.save({ key: store.ds.key([KINDS.chat, id, KINDS.message, next]), data: { id: next, ...data }, excludeFromIndexes: ['body'] });
    // The chat's id list (chat-history.ts) takes the message in the same transaction; a chat without
    // one is listed by query on its next read.
    const [indexEntity] = await tx.get(store.ds.key([CHAT_INDEX, id]));
    const index = chatIndexOf(indexEntity as Entity | undefined);
    if (index) tx.save(chatIndexEntity(store.ds, id, { messages: [...index.messages, next], through: index.through }));
    return next;
  });
  sendJson(res, 201, { chatId: id, ...messageJson(messageId, data) });
}
