import type { Request, Response } from 'express';
import { HttpError, idParam, sendJson } from './http.js';
import { userActivitiesJson, userJson, type Entity, type UserActivity } from './render.js';
import { KINDS, type Store } from './store.js';

async function findUser(store: Store, id: number): Promise<Entity> {
  const user = await store.get(KINDS.user, id);
  if (!user) throw new HttpError(404, 'not_found', `user ${id} not found`);
  return user;
}

/** GET /api/users/:id */
export async function getUser(store: Store, req: Request, res: Response): Promise<void> {
  const id = idParam(req);
  const user = await findUser(store, id);
  const [joined, hosted] = await Promise.all([store.count(KINDS.participation, 'user_id', id), store.count(KINDS.activity, 'host_id', id)]);
  sendJson(res, 200, userJson(id, user, { joined, hosted }));
}

/** GET /api/users/:id/activities */
export async function getUserActivities(store: Store, req: Request, res: Response): Promise<void> {
  const id = idParam(req);
  await findUser(store, id);
  const [hosted, joined] = await Promise.all([store.where(KINDS.activity, 'host_id', id), store.where(KINDS.participation, 'user_id', id)]);
  const joinedActivities = await store.getMany(
    KINDS.activity,
    joined.map((p) => Number(p.activity_id)),
  );
  const items: UserActivity[] = [
    ...hosted.map((a) => ({ id: store.idOf(a), activity: a, role: 'host' as const, joinedAt: null })),
    ...joined.flatMap((p) => {
      const activity = joinedActivities.get(Number(p.activity_id));
      return activity ? [{ id: Number(p.activity_id), activity, role: 'participant' as const, joinedAt: p.joined_at }] : [];
    }),
  ];
  sendJson(res, 200, userActivitiesJson(id, items));
}
