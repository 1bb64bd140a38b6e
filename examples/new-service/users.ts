import type { Request, Response } from 'express';
import { HttpError, idParam, sendJson } from './http.js';
import { INDEX_KINDS, lists, participationKey, type UserIndex } from './read-model.js';
import { userActivitiesJson, userJson, type Entity, type UserActivity } from './render.js';
import { KINDS, type Store } from './store.js';

/** The user and their read-model lists, in one lookup. */
async function findUser(store: Store, id: number): Promise<{ user: Entity; index: UserIndex }> {
  const [user, index] = await store.lookup([store.key(KINDS.user, id), store.key(INDEX_KINDS.user, id)]);
  if (!user) throw new HttpError(404, 'not_found', `user ${id} not found`);
  return { user, index: lists<UserIndex>(INDEX_KINDS.user, index) };
}

/** GET /api/users/:id */
export async function getUser(store: Store, req: Request, res: Response): Promise<void> {
  const id = idParam(req);
  const { user, index } = await findUser(store, id);
  sendJson(res, 200, userJson(id, user, { joined: index.joined.length, hosted: index.hosted.length }));
}

/** GET /api/users/:id/activities */
export async function getUserActivities(store: Store, req: Request, res: Response): Promise<void> {
  const id = idParam(req);
  const { index } = await findUser(store, id);
  const { hosted, joined } = index;
  const found = await store.lookup([
    ...hosted.map((a) => store.key(KINDS.activity, a)),
    ...joined.map((a) => store.key(KINDS.activity, a)),
    ...joined.map((a) => participationKey(store.ds, a, id)),
  ]);
  const items: UserActivity[] = [
    ...hosted.flatMap((a, i) => (found[i] ? [{ id: a, activity: found[i], role: 'host' as const, joinedAt: null }] : [])),
    ...joined.flatMap((a, i) => {
      const activity = found[hosted.length + i];
      const participation = found[hosted.length + joined.length + i];
      return activity && participation ? [{ id: a, activity, role: 'participant' as const, joinedAt: participation.joined_at }] : [];
    }),
  ];
  sendJson(res, 200, userActivitiesJson(id, items));
}
