import type { Request, Response } from 'express';
import { currentUserId, HttpError, idParam, sendJson } from './http.js';
import { applyEdits, INDEX_KINDS, joinEdits, lists, participationKey, serviceTransaction, type ActivityIndex } from './read-model.js';
import { activityJson, mysqlDateTime } from './render.js';
import { KINDS, type Store } from './store.js';
import { inTransaction } from './transaction.js';

/** GET /api/activities/:id: the activity and its lists, then the host and the participations, two lookups. */
export async function getActivity(store: Store, req: Request, res: Response, now: () => Date): Promise<void> {
  const id = idParam(req);
  const [activity, indexEntity] = await store.lookup([store.key(KINDS.activity, id), store.key(INDEX_KINDS.activity, id)]);
  if (!activity) throw new HttpError(404, 'not_found', `activity ${id} not found`);
  const index = lists<ActivityIndex>(INDEX_KINDS.activity, indexEntity);
  const [host, ...participations] = await store.lookup([store.key(KINDS.user, Number(activity.host_id)), ...index.participants.map((u) => participationKey(store.ds, id, u))]);
  const participants = participations.flatMap((p) => (p ? [{ userId: Number(p.user_id), joinedAt: p.joined_at }] : []));
  sendJson(res, 200, activityJson(id, activity, host, participants, index.chats[0] ?? null, now()));
}

/**
 * POST /api/activities/:id/join. Participations live under their Activity, so the seats are
 * counted inside the transaction (Datastore allows only ancestor queries there) and two joins for
 * the last seat cannot both win — what legacy gets from SELECT … FOR UPDATE.
 */
export async function joinActivity(store: Store, req: Request, res: Response, now: () => Date): Promise<void> {
  const userId = currentUserId(req);
  const id = idParam(req);
  const activityKey = store.key(KINDS.activity, id);
  const joinedAt = new Date(Math.floor(now().getTime() / 1000) * 1000);
  await inTransaction(store.ds, async (tx) => {
    const [[activity], [user]] = await Promise.all([tx.get(activityKey), tx.get(store.key(KINDS.user, userId))]);
    if (!activity) throw new HttpError(404, 'not_found', `activity ${id} not found`);
    if (!user) throw new HttpError(404, 'not_found', `user ${userId} not found`);
    if (Number(activity.host_id) === userId) throw new HttpError(409, 'is_host', `user ${userId} hosts activity ${id}`);
    const participations = await store.children(KINDS.participation, activityKey, tx);
    if (participations.some((p) => Number(p.user_id) === userId)) {
      throw new HttpError(409, 'already_joined', `user ${userId} already joined activity ${id}`);
    }
    if (participations.length >= Number(activity.capacity)) throw new HttpError(409, 'activity_full', `activity ${id} is full`);
    tx.save({
      key: store.ds.key([KINDS.activity, id, KINDS.participation, `${id}:${userId}`]),
      data: { activity_id: id, user_id: userId, joined_at: joinedAt, updated_at: joinedAt },
    });
    // The read model's lists change in the same transaction as the Participation they list, by the
    // same edits follow's hook makes for a join on legacy (read-model-hook.ts).
    await applyEdits(serviceTransaction(store.ds, tx), joinEdits(id, userId));
  });
  sendJson(res, 201, { activityId: id, userId, joinedAt: mysqlDateTime(joinedAt) });
}
