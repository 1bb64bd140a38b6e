/**
 * Generated traffic through the proxy, as the mobile app would send it: GETs with the signed-in
 * user's id in X-User-Id, a bounded number in flight. What comes back is tallied by status and by
 * the backend that answered (X-Served-By, which both demo apps set).
 */

export interface DemoRequest {
  path: string;
  userId: number;
}

export interface Tally {
  requests: number;
  /** By status code; 0 = no HTTP answer. */
  statuses: Record<string, number>;
  /** By X-Served-By (legacy-php, new-service, or "none"). */
  servedBy: Record<string, number>;
  /** Per user: which backend answered (the last answer), for stickiness checks. */
  byUser: Map<number, string>;
  ms: number;
}

export function emptyTally(): Tally {
  return { requests: 0, statuses: {}, servedBy: {}, byUser: new Map(), ms: 0 };
}

/**
 * Sends the requests to base with at most `concurrency` in flight; never throws on a failed request.
 * `hold`, when it returns true, makes each sender wait a little before its next request.
 */
export async function sendTraffic(base: string, requests: readonly DemoRequest[], concurrency = 16, hold?: () => boolean): Promise<Tally> {
  const tally = emptyTally();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      while (hold?.()) await new Promise((r) => setTimeout(r, 5));
      const r = requests[next++]!;
      if (!r) break;
      const { status, by } = await askOnce(base, r);
      tally.requests++;
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
      tally.servedBy[by] = (tally.servedBy[by] ?? 0) + 1;
      tally.byUser.set(r.userId, by);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  tally.ms = Math.round(performance.now() - started);
  return tally;
}

/** One request as the app sends it: its status (0 = no HTTP answer) and who answered (X-Served-By); never throws. */
export async function askOnce(base: string, r: DemoRequest): Promise<{ status: number; by: string }> {
  try {
    const res = await fetch(base + r.path, { headers: { 'x-user-id': String(r.userId) }, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return { status: res.status, by: res.headers.get('x-served-by') ?? 'none' };
  } catch {
    return { status: 0, by: 'none' };
  }
}

/** `count` ids spread over 1..n without clustering (a stride coprime with n), the same every run. */
export function spreadIds(count: number, n: number): number[] {
  let stride = Math.max(1, Math.floor(n * 0.618));
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(stride, n) !== 1) stride++;
  return Array.from({ length: count }, (_, i) => 1 + ((i * stride) % n));
}

export function share(t: Tally, servedBy: string): number {
  return t.requests === 0 ? 0 : (t.servedBy[servedBy] ?? 0) / t.requests;
}
