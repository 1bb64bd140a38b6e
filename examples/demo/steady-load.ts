import { askOnce, type DemoRequest } from './traffic.js';

export interface SteadyLoad {
  /** What users saw so far: answers by status (0 = no HTTP answer), and by backend. */
  readonly seen: { requests: number; ok: number; errors: number; statuses: Record<string, number>; servedBy: Record<string, number> };
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

/**
 * Requests sent without pause through the proxy, `concurrency` at a time, cycling over `requests`
 * until stopped: the steady traffic the ramp steps over and the guard watches.
 */
export function steadyLoad(base: string, requests: readonly DemoRequest[], concurrency: number): SteadyLoad {
  const seen = { requests: 0, ok: 0, errors: 0, statuses: {} as Record<string, number>, servedBy: {} as Record<string, number> };
  let running = true;
  let next = 0;
  const worker = async () => {
    while (running) {
      const r = requests[next++ % requests.length]!;
      const { status, by } = await askOnce(base, r);
      seen.requests++;
      if (status === 200) seen.ok++;
      else seen.errors++;
      seen.statuses[status] = (seen.statuses[status] ?? 0) + 1;
      seen.servedBy[by] = (seen.servedBy[by] ?? 0) + 1;
    }
  };
  const all = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    seen,
    stop: async () => {
      running = false;
      await all;
    },
  };
}
