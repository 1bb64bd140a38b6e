import type { RateLimiter } from './rate-limiter.js';

/**
 * Google's "500/50/5" rule for a new kind on a real Datastore project: start at no more than 500
 * writes/s and grow by at most 50% every 5 minutes, so that Datastore can split the kind's key and
 * index ranges across servers before they run hot. A schedule is plain data; `rampRate` and
 * `rampAllowance` answer what it permits at a time, and `createRampLimiter` makes a run follow it.
 */
export interface RampSchedule {
  /** Rows per second in the first step. */
  startRate: number;
  /** Factor from one step to the next (1.5: +50%). */
  growth: number;
  /** Length of a step in ms. */
  stepMs: number;
}

export const DATASTORE_RAMP: RampSchedule = { startRate: 500, growth: 1.5, stepMs: 5 * 60_000 };

/** The step (0, 1, …) in force `elapsedMs` after the ramp began. */
export function rampStep(s: RampSchedule, elapsedMs: number): number {
  return Math.max(0, Math.floor(elapsedMs / s.stepMs));
}

/** Rows per second a step permits (whole rows: 500, 750, 1125, 1687, …). */
export function stepRate(s: RampSchedule, step: number): number {
  return Math.floor(s.startRate * s.growth ** step);
}

/** Rows per second permitted `elapsedMs` after the ramp began. */
export function rampRate(s: RampSchedule, elapsedMs: number): number {
  return stepRate(s, rampStep(s, elapsedMs));
}

/** Rows the schedule permits in all from its start to `elapsedMs` (without the 1 s burst). */
export function rampAllowance(s: RampSchedule, elapsedMs: number): number {
  const step = rampStep(s, elapsedMs);
  let rows = 0;
  for (let k = 0; k < step; k++) rows += (stepRate(s, k) * s.stepMs) / 1000;
  return rows + (stepRate(s, step) * (elapsedMs - step * s.stepMs)) / 1000;
}

/**
 * Where on the schedule `rows` rows have been permitted in all (rampAllowance's inverse): a resumed
 * run picks the ramp up there rather than at its first step. Derived from the rows the checkpoint
 * says were copied, so a run that went slower than the ramp resumes no faster than it went, and the
 * time it stood still does not count (the kind saw no writes meanwhile).
 */
export function rampElapsedFor(s: RampSchedule, rows: number): number {
  let elapsed = 0;
  let left = Math.max(0, rows);
  for (let step = 0; ; step++) {
    const rate = Math.max(1, stepRate(s, step));
    const perStep = (rate * s.stepMs) / 1000;
    if (left <= perStep) return elapsed + (left / rate) * 1000;
    left -= perStep;
    elapsed += s.stepMs;
  }
}

export interface RampState {
  step: number;
  rate: number;
  nextRate: number;
  /** Ms until the next step (0 before the first row of a ramp from its start). */
  nextInMs: number;
}

export interface RampLimiter extends RateLimiter {
  /** Where the ramp is now (step 0 until the first row asks to go). */
  state(): RampState;
}

/**
 * A token bucket whose rate follows the schedule from the first acquire on, with at most one second
 * of burst at the current rate; `maxRate` (--max-rate) caps it. Waiters are served in order.
 */
export function createRampLimiter(
  s: RampSchedule,
  options: { maxRate?: number; now?: () => number; sleep?: (ms: number) => Promise<void>; /** Where on the schedule to begin (a resumed run: rampElapsedFor). */ startAtMs?: number } = {},
): RampLimiter {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const cap = options.maxRate ?? Infinity;
  const rateAt = (elapsed: number) => Math.min(cap, rampRate(s, elapsed));
  const offset = options.startAtMs ?? 0;
  /** The clock reading at which the schedule's time 0 falls. */
  let started: number | undefined;
  let tokens = 0;
  let last = offset;
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now() - started!;
    // Integrate the rate over the steps crossed since the last refill.
    let from = last;
    while (from < t) {
      const stepEnd = (rampStep(s, from) + 1) * s.stepMs;
      const to = Math.min(t, stepEnd);
      tokens += ((to - from) / 1000) * rateAt(from);
      from = to;
    }
    last = t;
    tokens = Math.min(tokens, rateAt(t));
  };
  return {
    acquire(rows: number) {
      const turn = queue.then(async () => {
        if (started === undefined) {
          started = now() - offset;
          tokens = rateAt(offset);
        }
        refill();
        tokens -= rows;
        while (tokens < 0) {
          const elapsed = now() - started;
          const untilStep = (rampStep(s, elapsed) + 1) * s.stepMs - elapsed;
          await sleep(Math.max(1, Math.min((-tokens / rateAt(elapsed)) * 1000, untilStep)));
          refill();
        }
      });
      queue = turn;
      return turn;
    },
    state() {
      const elapsed = started === undefined ? offset : now() - started;
      const step = rampStep(s, elapsed);
      const waiting = started === undefined && offset === 0;
      return { step, rate: rateAt(elapsed), nextRate: Math.min(cap, stepRate(s, step + 1)), nextInMs: waiting ? 0 : (step + 1) * s.stepMs - elapsed };
    },
  };
}
