import { DATASTORE_RAMP, createRampLimiter, rampAllowance, rampElapsedFor, rampRate, stepRate, type RampSchedule } from '../../../migrators/copy/ramp.js';

/** A clock that moves only when the limiter sleeps. */
function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms), at: () => t };
}

describe('the 500/50/5 ramp', () => {
  test('the schedule: 500 rows/s, then +50% every 5 minutes', () => {
    const minutes = [0, 4.99, 5, 10, 15, 20, 25, 60];
    expect(minutes.map((m) => rampRate(DATASTORE_RAMP, m * 60_000))).toEqual([500, 500, 750, 1125, 1687, 2531, 3796, 64873]);
    expect(rampAllowance(DATASTORE_RAMP, 5 * 60_000)).toBe(150_000);
    expect(rampAllowance(DATASTORE_RAMP, 7.5 * 60_000)).toBe(150_000 + 750 * 150);
  });

  test('a limiter on a fake clock lets through what each step permits, never more', async () => {
    const clock = fakeClock();
    const limiter = createRampLimiter(DATASTORE_RAMP, clock);
    const batch = 500;
    const perStep = new Map<number, number>();
    const start = clock.at();
    let rows = 0;
    while (clock.at() - start < 30 * 60_000) {
      await limiter.acquire(batch);
      rows += batch;
      const elapsed = clock.at() - start;
      // Never ahead of the schedule by more than the first second's burst.
      expect(rows).toBeLessThanOrEqual(rampAllowance(DATASTORE_RAMP, elapsed) + DATASTORE_RAMP.startRate);
      const step = Math.floor(elapsed / DATASTORE_RAMP.stepMs);
      perStep.set(step, (perStep.get(step) ?? 0) + batch);
    }
    // Each 5-minute step carries its rate × 300 s, within a batch and the burst.
    for (let step = 1; step < 6; step++) {
      const expected = stepRate(DATASTORE_RAMP, step) * 300;
      expect(Math.abs(perStep.get(step)! - expected)).toBeLessThanOrEqual(batch + stepRate(DATASTORE_RAMP, step));
    }
    expect(limiter.state()).toMatchObject({ step: 6, rate: 5695, nextRate: 8542 });
  });

  test('--max-rate caps the ramp; the state says the step, the rate and when the next one comes', async () => {
    const clock = fakeClock();
    const s: RampSchedule = { startRate: 10, growth: 1.5, stepMs: 1000 };
    const limiter = createRampLimiter(s, { ...clock, maxRate: 20 });
    expect(limiter.state()).toEqual({ step: 0, rate: 10, nextRate: 15, nextInMs: 0 });
    await limiter.acquire(1);
    clock.advance(400);
    expect(limiter.state()).toEqual({ step: 0, rate: 10, nextRate: 15, nextInMs: 600 });
    const start = clock.at();
    for (let i = 0; i < 200; i++) await limiter.acquire(1);
    // 10 burst + 6 (0.6 s at 10) + 15 + then 20/s (22.5 capped at 20) …: about 9.5 s for 200 rows.
    expect(clock.at() - start).toBeGreaterThan(8_500);
    expect(limiter.state()).toMatchObject({ rate: 20, nextRate: 20 });
  });

  test('nothing waits before the first step fills: the first second is a burst', async () => {
    const clock = fakeClock();
    const limiter = createRampLimiter(DATASTORE_RAMP, clock);
    await limiter.acquire(500);
    expect(clock.at()).toBe(1_000_000);
    await limiter.acquire(250);
    expect(clock.at()).toBe(1_000_500);
  });
});

describe('a resumed ramp continues where it was', () => {
  test('rampElapsedFor is rampAllowance read backwards', () => {
    for (const minutes of [0, 0.5, 4.99, 5, 7.5, 12, 26]) {
      const t = minutes * 60_000;
      expect(rampElapsedFor(DATASTORE_RAMP, rampAllowance(DATASTORE_RAMP, t))).toBeCloseTo(t, 6);
    }
    expect(rampElapsedFor(DATASTORE_RAMP, 0)).toBe(0);
  });

  test('killed at minute 12 and resumed: the resumed limiter is at step 2 and keeps to the schedule from there, not from 500 rows/s', async () => {
    const first = fakeClock();
    const before = createRampLimiter(DATASTORE_RAMP, first);
    const t0 = first.at();
    let rows = 0;
    while (first.at() - t0 < 12 * 60_000) {
      await before.acquire(500);
      rows += 500;
    }
    expect(before.state().step).toBe(2);
    // The process dies; the checkpoint kept `rows`. Hours later a new run picks the ramp up.
    const clock = fakeClock();
    clock.advance(3 * 3_600_000);
    const startAtMs = rampElapsedFor(DATASTORE_RAMP, rows);
    const resumed = createRampLimiter(DATASTORE_RAMP, { ...clock, startAtMs });
    expect(resumed.state()).toMatchObject({ step: 2, rate: 1125, nextRate: 1687 });
    expect(resumed.state().nextInMs).toBeGreaterThan(2.9 * 60_000);
    expect(resumed.state().nextInMs).toBeLessThanOrEqual(3 * 60_000);
    const start = clock.at();
    let more = 0;
    while (clock.at() - start < 10 * 60_000) {
      await resumed.acquire(500);
      more += 500;
      const elapsed = startAtMs + (clock.at() - start);
      // Within the schedule from where it was (plus one second's burst), far above a fresh start's.
      expect(rows + more).toBeLessThanOrEqual(rampAllowance(DATASTORE_RAMP, elapsed) + stepRate(DATASTORE_RAMP, 2) + 500);
    }
    expect(more).toBeGreaterThan(rampAllowance(DATASTORE_RAMP, 10 * 60_000) * 2);
    expect(resumed.state().step).toBe(4);
  });
});
