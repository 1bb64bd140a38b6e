/**
 * The new service's JSON, built from Datastore entities as the migrators write them (property
 * names are the MySQL column names; see PRODUCT.md "The migrators"). Plain functions, no I/O.
 *
 * The answers keep the legacy API's shape and its 'Y-m-d H:i:s' dates, so the mobile app does not
 * notice the switch; they differ from legacy only where PHP's habits are benign (real numbers
 * instead of numeric strings, {} instead of [], a null left out) — the diff normalisers absorb
 * those — and, deliberately, in `displayName` (see below).
 */

export type Entity = Record<string, unknown>;

/** A Datastore timestamp as MySQL's DATETIME text, in UTC (the legacy app writes UTC). */
export function mysqlDateTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value as string);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** The moment as PHP's DateTime::format('Y-m-d H:i:s.u') writes it (milliseconds, then zeros). */
export function serverTime(now: Date): string {
  return `${now.toISOString().slice(0, 23).replace('T', ' ')}000`;
}

export function int(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return Number(value);
}

/**
 * The new profile screen shows people by their full name: "Anna Kowalski" where legacy showed
 * "Anna K.". This is the deliberate difference the demo's diff report finds on GET /api/users/:id.
 */
export function displayName(user: Entity): string {
  return `${String(user.first_name)} ${String(user.last_name)}`.trim();
}

/** A JSON column arrives as an embedded entity, or as its text when mapped to an unindexed string. */
function jsonMap(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
  return (value ?? {}) as Record<string, unknown>;
}

export function userJson(id: number, user: Entity, stats: { joined: number; hosted: number }) {
  return {
    id,
    displayName: displayName(user),
    firstName: user.first_name,
    lastName: user.last_name,
    city: user.city,
    birthdate: user.birthdate ?? null,
    // Left out when there is none (legacy sends null).
    bio: user.bio ?? undefined,
    verified: Boolean(user.is_verified),
    links: jsonMap(user.links),
    lastSeenAt: mysqlDateTime(user.last_seen_at),
    memberSince: mysqlDateTime(user.created_at),
    stats: { activitiesJoined: stats.joined, activitiesHosted: stats.hosted },
  };
}

export interface UserActivity {
  id: number;
  activity: Entity;
  role: 'host' | 'participant';
  joinedAt: unknown;
}

/** Soonest first, as legacy's ORDER BY starts_at, id. */
export function userActivitiesJson(userId: number, items: UserActivity[]) {
  const sorted = [...items].sort((a, b) => timeOf(a.activity.starts_at) - timeOf(b.activity.starts_at) || a.id - b.id);
  return {
    userId,
    activities: sorted.map((i) => ({
      id: i.id,
      title: i.activity.title,
      city: i.activity.city,
      startsAt: mysqlDateTime(i.activity.starts_at),
      role: i.role,
      joinedAt: mysqlDateTime(i.joinedAt),
    })),
  };
}

export interface Participant {
  userId: number;
  joinedAt: unknown;
}

export function activityJson(
  id: number,
  activity: Entity,
  host: Entity | undefined,
  participants: Participant[],
  chatId: number | null,
  now: Date,
) {
  const sorted = [...participants].sort((a, b) => timeOf(a.joinedAt) - timeOf(b.joinedAt) || a.userId - b.userId);
  const capacity = int(activity.capacity) ?? 0;
  return {
    id,
    title: activity.title,
    description: activity.description,
    city: activity.city,
    startsAt: mysqlDateTime(activity.starts_at),
    capacity,
    // DECIMAL stays an exact string ("15.00"), as the migrators store it.
    price: activity.price,
    isPublic: Boolean(activity.is_public),
    host: { id: int(activity.host_id), firstName: host?.first_name ?? null },
    participants: sorted.map((p) => ({ userId: p.userId, joinedAt: mysqlDateTime(p.joinedAt) })),
    participantCount: sorted.length,
    spotsLeft: Math.max(0, capacity - sorted.length),
    chatId,
    serverTime: serverTime(now),
  };
}

export function messageJson(id: number, message: Entity) {
  return {
    id,
    senderId: int(message.sender_id),
    body: message.body,
    sentAt: mysqlDateTime(message.sent_at),
    editedAt: mysqlDateTime(message.edited_at),
  };
}

function timeOf(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(value as string).getTime();
}
