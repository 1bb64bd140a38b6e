import { describeCause } from '../../core/errors.js';

/**
 * What the demo has started, as stop functions in start order; run() stops them backwards, each
 * failure noted without stopping the rest, so one stuck piece never leaves the others running.
 */
export class Teardown {
  private readonly steps: { what: string; stop: () => Promise<void> | void }[] = [];

  add(what: string, stop: () => Promise<void> | void): void {
    this.steps.push({ what, stop });
  }

  /** Stops everything added so far, newest first; returns "what: why" for each stop that failed. */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const s = this.steps.pop()!;
      try {
        await s.stop();
      } catch (err) {
        failures.push(`${s.what}: ${describeCause(err)}`);
      }
    }
    return failures;
  }
}
