/**
 * The guard's sliding window over the new service's answers on one route: a fixed ring of
 * per-second slots, each holding a request count, a failure count and a latency histogram.
 *
 * It sits on the request path (record() per answer of new), so it allocates nothing there and reads
 * no clock: the 1-second tick of the pilot (pilot.ts) moves the ring on, and an answer counts in the
 * slot that is current when it ends. That tick is also the window's clock: "5 s" in the guard means
 * five ticks, which on a starved machine stretch with everything else rather than misfire.
 */

/** Latency slots: slot i holds answers up to FACTOR^i ms (1 ms … about 100 s), so a p95 is read within 10%. */
const FACTOR = 1.1;
const LOG_FACTOR = Math.log(FACTOR);
export const LATENCY_SLOTS = 122;
/** Per second: [requests, failures, latency slots…]. */
const STRIDE = 2 + LATENCY_SLOTS;

export function slotUpperMs(i: number): number {
  return FACTOR ** i;
}

function latencySlot(ms: number): number {
  if (ms <= 1) return 0;
  const i = Math.ceil(Math.log(ms) / LOG_FACTOR);
  return i < LATENCY_SLOTS ? i : LATENCY_SLOTS - 1;
}

export interface WindowSummary {
  /** Seconds covered (at a tick: complete ones). */
  seconds: number;
  requests: number;
  failures: number;
  /** The p95 of the answers' times (the upper edge of its 10% slot), undefined without answers. */
  p95Ms: number | undefined;
}

export class GuardWindow {
  private readonly data: Uint32Array;
  /** Offset of the current second's slot in data. */
  private base = 0;
  private current = 0;

  /** @param seconds the window's length: read at a tick, the ring holds exactly that many complete seconds. */
  constructor(readonly seconds: number) {
    this.data = new Uint32Array(seconds * STRIDE);
  }

  /** A finished answer of the new service: its status (5xx and the proxy's 502/504 fail) and its time. */
  record(status: number, seconds: number): void {
    const d = this.data;
    const b = this.base;
    d[b]!++;
    if (status >= 500) d[b + 1]!++;
    d[b + 2 + latencySlot(seconds * 1000)]!++;
  }

  /** A request the new service failed and legacy answered instead (a fallback): a failure, no time. */
  fail(): void {
    this.data[this.base]!++;
    this.data[this.base + 1]!++;
  }

  /** The second that just ended, on its own (read by tick()'s caller before the ring moves on). */
  lastSecond(): { requests: number; failures: number } {
    return { requests: this.data[this.base]!, failures: this.data[this.base + 1]! };
  }

  /** Moves to the next second; the oldest slot is cleared for it. */
  tick(): void {
    this.current = (this.current + 1) % this.seconds;
    this.base = this.current * STRIDE;
    this.data.fill(0, this.base, this.base + STRIDE);
  }

  /** Forgets everything (the route's dial moved: what was seen describes another dial). */
  reset(): void {
    this.data.fill(0);
  }

  summary(): WindowSummary {
    const d = this.data;
    let requests = 0;
    let failures = 0;
    const hist = new Float64Array(LATENCY_SLOTS);
    for (let s = 0; s < this.seconds; s++) {
      const b = s * STRIDE;
      requests += d[b]!;
      failures += d[b + 1]!;
      for (let i = 0; i < LATENCY_SLOTS; i++) hist[i]! += d[b + 2 + i]!;
    }
    let timed = 0;
    for (let i = 0; i < LATENCY_SLOTS; i++) timed += hist[i]!;
    let p95Ms: number | undefined;
    if (timed > 0) {
      const rank = Math.ceil(timed * 0.95);
      let seen = 0;
      for (let i = 0; i < LATENCY_SLOTS; i++) {
        seen += hist[i]!;
        if (seen >= rank) {
          p95Ms = slotUpperMs(i);
          break;
        }
      }
    }
    return { seconds: this.seconds, requests, failures, p95Ms };
  }
}
