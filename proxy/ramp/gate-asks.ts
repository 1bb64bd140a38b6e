import { describeCause } from '../../core/errors.js';
import type { GateVerdict } from './plan.js';

/** How long a verdict of the gate stands before a ramp asks again. */
export const GATE_FRESH_MS = 5000;

/**
 * The readiness gate's verdict per ramp, asked in the background: an ask reads every diff record and
 * the checkpoint store (each read bounded to seconds), and the pilot's tick must not wait on it, since a
 * guard rollback waits for that tick. A verdict stands for GATE_FRESH_MS from when it was asked; until
 * a fresh one is in, the ramp waits (on the last failing verdict's reason, if there is one).
 */
export class GateAsks {
  private readonly last = new Map<string, GateVerdict & { at: number }>();
  private readonly pending = new Map<string, Promise<void>>();
  /** When each target last stepped: a verdict asked before then says nothing of the dial it is at. */
  private readonly stepped = new Map<string, number>();

  constructor(private readonly ask: (target: string) => Promise<GateVerdict>) {}

  /**
   * A fresh verdict on `target`; otherwise one is asked for and the last failing one stands (a gate
   * that failed does not open while it is asked again); undefined while nothing stands.
   */
  verdict(target: string, now: number): GateVerdict | undefined {
    const last = this.last.get(target);
    if (last !== undefined && now - last.at <= GATE_FRESH_MS) return last;
    if (!this.pending.has(target)) {
      const asking = this.ask(target)
        .catch((err: unknown): GateVerdict => ({ ok: false, reason: `the gate cannot be judged: ${describeCause(err)}`, held: 'the gate cannot be judged' }))
        .then((v) => {
          if (now > (this.stepped.get(target) ?? -Infinity)) this.last.set(target, { ...v, at: now });
        })
        .finally(() => this.pending.delete(target));
      this.pending.set(target, asking);
    }
    return last !== undefined && !last.ok ? last : undefined;
  }

  /** After a step the figures change: the next step needs a verdict asked after it. */
  forget(target: string, now: number): void {
    this.last.delete(target);
    this.stepped.set(target, now);
  }

  /** Every ask in flight, settled (the pilot's stop). */
  async settled(): Promise<void> {
    await Promise.all(this.pending.values());
  }
}
