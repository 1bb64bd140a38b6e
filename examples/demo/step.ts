/** One step of the demo's playbook: what it is called, what it does, and what it found. */

export interface StepResult {
  /** false stops the demo: the step did not show what it should. */
  ok: boolean;
  /** The numbers behind the step (the --json line carries them; the e2e test asserts on them). */
  figures: Record<string, unknown>;
  /** What to print under the step's title. */
  lines: string[];
  /** Why it is not ok, in one line. */
  problem?: string;
}

export interface StepContext {
  /** A running-commentary line while the step works (copy progress, traffic sent). */
  progress(line: string): void;
}

export interface Step {
  /** Short stable name: plan, run, verify, shadow, report, canary, fallback, rollback, live. */
  name: string;
  /** One line saying what the step does, as ops or QA would do it. */
  title: string;
  run(step: StepContext): Promise<StepResult>;
}
