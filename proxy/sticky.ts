/**
 * Sticky bucketing: a user's bucket on a route is hash(route name, user key) mod 10,000, and the user
 * is on the new service when bucket < new% × 100. The threshold only grows as the dial rises, so
 * raising the % never moves a user from new back to legacy; lowering it moves the last ones first.
 */
export const BUCKETS = 10_000;

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser so that nearby keys spread evenly. */
function hash32(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of a route: its name hashed once when the route table is compiled. */
export function routeSeed(routeName: string): number {
  return hash32(routeName, 0x811c9dc5);
}

export function bucketOf(routeName: string, userKey: string, seed = routeSeed(routeName)): number {
  return hash32(userKey, seed) % BUCKETS;
}

/** A bucket for a request without a user key: spread at random. */
export function randomBucket(): number {
  return Math.floor(Math.random() * BUCKETS);
}

/** Whether a bucket is served by the new service at this dial. */
export function onNew(newPercent: number, bucket: number): boolean {
  return bucket < Math.round(newPercent * 100);
}
