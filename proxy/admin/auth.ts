import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the bearer token, compared in constant time. Both sides
 * are hashed first so that the comparison takes the same time whatever the lengths.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (typeof header !== 'string') return false;
  const m = /^Bearer[ \t]+(.+)$/i.exec(header.trim());
  const given = createHash('sha256').update(m ? m[1]! : '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && m !== null;
}
