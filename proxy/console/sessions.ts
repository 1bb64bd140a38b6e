import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A signed-in console: the cookie carries the id, pages send the CSRF token with every change. */
export interface ConsoleSession {
  id: string;
  csrf: string;
  expires: number;
}

export const SESSION_COOKIE = 'strangler_console';
/** A session lasts a working day; signing in again is one token away. */
const TTL_MS = 12 * 3600_000;
/** Beyond this many live sessions the oldest goes (a loop signing in cannot grow memory). */
const MAX_SESSIONS = 200;

/** Constant-time equality of two strings of any lengths (both hashed first). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The console's sessions, in memory: a restart of the proxy signs everyone out, which is what
 * a token rotation wants as well. The admin token itself never leaves the server after sign-in.
 */
export class ConsoleSessions {
  private readonly byId = new Map<string, ConsoleSession>();

  constructor(private readonly now: () => number = Date.now) {}

  create(): ConsoleSession {
    this.sweep();
    while (this.byId.size >= MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value!);
    const s: ConsoleSession = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), expires: this.now() + TTL_MS };
    this.byId.set(s.id, s);
    return s;
  }

  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    return s;
  }

  destroy(id: string): void {
    this.byId.delete(id);
  }

  /** Ends every session (the admin token changed). */
  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.byId) if (s.expires <= t) this.byId.delete(id);
  }
}
