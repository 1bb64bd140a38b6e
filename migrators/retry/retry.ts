/**
 * Retries with full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff and
 * Jitter"): delay = random(0, min(cap, base·2^attempt)). Only errors the caller classifies as
 * transient are retried, and only within a time budget, so a dead peer still ends the run.
 */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Give up once this much time has passed since the first failure. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 100, capMs: 5_000, budgetMs: 120_000 };

export interface RetryHooks {
  isTransient: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(work: () => Promise<T>, hooks: RetryHooks, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const now = hooks.now ?? Date.now;
  const sleep = hooks.sleep ?? realSleep;
  let firstFailure: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!hooks.isTransient(err)) throw err;
      firstFailure ??= now();
      const delay = backoffDelay(attempt, policy, hooks.random);
      if (now() + delay - firstFailure > policy.budgetMs) throw err;
      hooks.onRetry?.(err, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
