import { datetime, epoch, Random } from './random.js';
import { ACTIVITY_KINDS, BIOS, CITIES, DESCRIPTIONS, FIRST_NAMES, LAST_NAMES, LINK_SITES, MESSAGES } from './seed-words.js';

export interface SeedOptions {
  /** The PRNG seed: the same value gives byte-identical data. */
  seed?: number;
  users?: number;
  activities?: number;
  /** One group chat per activity, the rest direct chats. */
  chats?: number;
  messages?: number;
}

export const DEMO_SEED: Required<SeedOptions> = { seed: 20_240_611, users: 10_000, activities: 2_000, chats: 2_500, messages: 50_000 };

export type Value = string | number | null;

export interface SeedTable {
  name: string;
  columns: string[];
  rows: Value[][];
}

// A fixed calendar, never the clock: "now" in the demo data is 2025-06-01.
const SIGNUPS_FROM = epoch('2019-01-01 00:00:00');
const DATA_NOW = epoch('2025-06-01 00:00:00');
const DAY = 86_400;

/**
 * The demo's legacy data, generated in the order the tables must be inserted (parents first).
 * Pure and deterministic: no clock, no Math.random.
 */
export function generateSeed(options: SeedOptions = {}): SeedTable[] {
  const o = { ...DEMO_SEED, ...options };
  if (o.chats < o.activities) throw new Error(`chats (${o.chats}) must be at least activities (${o.activities}): each activity has its group chat`);
  const rnd = new Random(o.seed);

  const users: Value[][] = [];
  const userCity: string[] = [];
  for (let id = 1; id <= o.users; id++) {
    const first = rnd.pick(FIRST_NAMES);
    const last = rnd.pick(LAST_NAMES);
    const city = rnd.pick(CITIES);
    userCity[id] = city;
    const created = rnd.int(SIGNUPS_FROM, DATA_NOW - 30 * DAY);
    const birth = rnd.chance(0.1) ? null : datetime(rnd.int(epoch('1960-01-01 00:00:00'), epoch('2006-12-31 00:00:00'))).slice(0, 10);
    const links: Record<string, string> = {};
    if (rnd.chance(0.5)) for (const site of LINK_SITES) if (rnd.chance(0.4)) links[site] = `${first.toLowerCase()}_${id}`;
    users.push([
      id,
      `user${id}@example.test`,
      `$2y$10$${hash(rnd, 53)}`,
      first,
      last,
      city,
      birth,
      bio(rnd),
      JSON.stringify(links),
      rnd.chance(0.3) ? 1 : 0,
      rnd.chance(0.05) ? null : datetime(rnd.int(created, DATA_NOW)),
      datetime(created),
      datetime(rnd.int(created, DATA_NOW)),
    ]);
  }

  const activities: Value[][] = [];
  const participants: Value[][] = [];
  const members: number[][] = [];
  const activityCreated: number[] = [];
  for (let id = 1; id <= o.activities; id++) {
    const host = rnd.int(1, o.users);
    const kind = rnd.pick(ACTIVITY_KINDS);
    const city = rnd.chance(0.8) ? userCity[host]! : rnd.pick(CITIES);
    const startsAt = rnd.int(epoch('2024-01-01 08:00:00'), epoch('2025-12-31 20:00:00'));
    // Created before it starts and before the data's "now".
    const created = Math.min(startsAt - rnd.int(1, 60) * DAY, DATA_NOW - rnd.int(1, 30) * DAY);
    activityCreated[id] = created;
    const capacity = rnd.int(4, 20);
    const price = rnd.chance(0.4) ? '0.00' : (rnd.int(2, 90) / 2).toFixed(2);
    activities.push([id, host, `${kind} in ${city}`, rnd.pick(DESCRIPTIONS), city, datetime(startsAt), capacity, price, rnd.chance(0.85) ? 1 : 0, datetime(created), datetime(created)]);
    // Joiners: distinct users other than the host, never more than the capacity.
    const taken = new Set<number>([host]);
    const joined: number[] = [];
    const wanted = Math.min(capacity, rnd.int(0, 12), o.users - 1);
    while (joined.length < wanted) {
      const user = rnd.int(1, o.users);
      if (taken.has(user)) continue;
      taken.add(user);
      joined.push(user);
    }
    joined.sort((a, b) => a - b);
    for (const user of joined) {
      const at = datetime(rnd.int(created, Math.min(startsAt, DATA_NOW)));
      participants.push([id, user, at, at]);
    }
    members[id] = [host, ...joined];
  }

  const chats: Value[][] = [];
  const chatMembers: number[][] = [];
  const chatCreated: number[] = [];
  for (let id = 1; id <= o.chats; id++) {
    const group = id <= o.activities;
    const created = group ? activityCreated[id]! : rnd.int(SIGNUPS_FROM, DATA_NOW - DAY);
    chatCreated[id] = created;
    const a = rnd.int(1, o.users);
    chatMembers[id] = group ? members[id]! : [a, (a % o.users) + 1];
    chats.push([id, group ? id : null, group ? 'group' : 'direct', group ? (activities[id - 1]![2] as string) : null, datetime(created), datetime(created)]);
  }

  // Messages are drawn first and numbered after sorting by time, so ids grow with sent_at as
  // AUTO_INCREMENT ids do. A few busy chats hold most of the history.
  const drafts: { chat: number; sender: number; body: string; sent: number; edited: number | null }[] = [];
  for (let i = 0; i < o.messages; i++) {
    const chat = 1 + Math.floor(o.chats * rnd.next() ** 3);
    const sent = rnd.int(chatCreated[chat]!, DATA_NOW);
    const text = rnd.chance(0.1) ? `${rnd.pick(MESSAGES)} ${rnd.pick(MESSAGES)}` : rnd.pick(MESSAGES);
    drafts.push({ chat, sender: rnd.pick(chatMembers[chat]!), body: text, sent, edited: rnd.chance(0.05) ? sent + rnd.int(10, 3600) : null });
  }
  drafts.sort((a, b) => a.sent - b.sent || a.chat - b.chat);
  const messages: Value[][] = drafts.map((m, i) => [
    i + 1,
    m.chat,
    m.sender,
    m.body,
    datetime(m.sent),
    m.edited === null ? null : datetime(m.edited),
    datetime(m.edited ?? m.sent),
  ]);

  return [
    { name: 'users', columns: ['id', 'email', 'password_hash', 'first_name', 'last_name', 'city', 'birthdate', 'bio', 'links', 'is_verified', 'last_seen_at', 'created_at', 'updated_at'], rows: users },
    { name: 'activities', columns: ['id', 'host_id', 'title', 'description', 'city', 'starts_at', 'capacity', 'price', 'is_public', 'created_at', 'updated_at'], rows: activities },
    { name: 'activity_participants', columns: ['activity_id', 'user_id', 'joined_at', 'updated_at'], rows: participants },
    { name: 'chats', columns: ['id', 'activity_id', 'kind', 'title', 'created_at', 'updated_at'], rows: chats },
    { name: 'messages', columns: ['id', 'chat_id', 'sender_id', 'body', 'sent_at', 'edited_at', 'updated_at'], rows: messages },
  ];
}

function bio(rnd: Random): string | null {
  if (rnd.chance(0.3)) return null;
  // About 1% write an essay: over 1500 bytes, so the migrators must leave it unindexed.
  if (rnd.chance(0.01)) return Array.from({ length: 40 }, () => rnd.pick(BIOS)).join(' ');
  return rnd.pick(BIOS);
}

const HASH_CHARS = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function hash(rnd: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += HASH_CHARS[Math.floor(rnd.next() * HASH_CHARS.length)];
  return s;
}
