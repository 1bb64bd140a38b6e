/**
 * `strangler demo`: start everything (stack.ts), walk the playbook — plan → run → the new service's
 * read model → verify → shadow → diffs report → readiness gate → canary 10% → 100% with fallback →
 * rollback → ramp → guard → live data (follow, reverse) — printing each step with its figures,
 * then hold everything up until asked to stop, and stop all it started, whatever happened.
 */
import { StranglerError, describeCause } from '../../core/errors.js';
import { DEMO_SEED, type SeedOptions } from './seed-data.js';
import { guardStep, rampStep, readyStep } from './playbook-cutover.js';
import { inProcessSync } from './live-sync.js';
import { liveStep } from './playbook-live.js';
import { openDemoMigrate, planStep, readModelStep, runStep, verifyStep } from './playbook-migrate.js';
import { canaryStep, fallbackStep, reportStep, rollbackStep, shadowStep, type TrafficSizes } from './playbook-routes.js';
import type { DemoPrinter } from './printer.js';
import { startDemoStack, type DemoStack } from './stack.js';
import type { Step } from './step.js';

export type DemoSize = 'full' | 'small';

/**
 * `--rows small`: a tenth of the data, for quick runs and the end-to-end test. 450 shadowed requests
 * per route is what a clean route needs to be ready (0 mismatches in 450: 95% upper bound 0.85% ≤ 1%);
 * more would mostly wait on the emulator, which answers the new service's queries slowly.
 */
export const DEMO_SIZES: Record<DemoSize, { seed: SeedOptions; traffic: TrafficSizes }> = {
  full: { seed: DEMO_SEED, traffic: { shadowPerRoute: 450, canaryUsers: 2000 } },
  small: { seed: { users: 1000, activities: 200, chats: 250, messages: 5000 }, traffic: { shadowPerRoute: 450, canaryUsers: 1000 } },
};

export interface DemoOptions {
  size: DemoSize;
  env: NodeJS.ProcessEnv;
  printer: DemoPrinter;
  /** Resolves when the demo should stop (Ctrl-C); undefined: stop right after the playbook (--exit). */
  hold?: (stack: DemoStack) => Promise<void>;
  /** Told the stack as soon as it is up, so that a Ctrl-C during the playbook can stop it. */
  started?: (stack: DemoStack) => void;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - started) };
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const { printer } = options;
  const size = DEMO_SIZES[options.size];
  printer.banner(options.size);
  const started = await timed(() => startDemoStack({ seed: size.seed, env: options.env, progress: (l) => printer.progress(l) }));
  const stack = started.value;
  options.started?.(stack);
  let failure: unknown;
  try {
    printer.step('start', 'start MariaDB (seeded), the Datastore emulator, the PHP app, the new service and the proxy', started.ms, {
      ok: true,
      figures: { seed: stack.seed.counts, seedMs: stack.seed.ms, pids: stack.pids, own: stack.own, proxy: stack.proxyUrl, admin: stack.adminUrl, legacy: stack.legacy.url, new: stack.fresh().url },
      lines: [],
    });
    await walk(stack, size.traffic, printer);
    printer.urls(stack);
    if (options.hold) await options.hold(stack);
  } catch (err) {
    failure = err;
  }
  const stopped = await timed(() => stack.stop().then(() => undefined, (err: unknown) => describeCause(err)));
  printer.stopped(stack, stopped.ms, stopped.value);
  if (failure) throw failure;
  if (stopped.value) throw new StranglerError('STRANGLER_E_DEMO_STEP', `stop: ${stopped.value}`, { hint: 'look for leftover processes (mariadbd, php -S, the emulator) and stop them by pid' });
}

async function walk(stack: DemoStack, traffic: TrafficSizes, printer: DemoPrinter): Promise<void> {
  const migrate = await openDemoMigrate(stack);
  try {
    await runSteps([planStep(migrate), runStep(migrate, stack), readModelStep(stack), verifyStep(migrate)], printer, 1);
  } finally {
    await migrate.close();
  }
  await runSteps(
    [
      shadowStep(stack, traffic),
      reportStep(stack),
      readyStep(stack),
      canaryStep(stack, traffic),
      fallbackStep(stack, traffic),
      rollbackStep(stack, traffic),
      rampStep(stack),
      guardStep(stack),
      liveStep(stack, inProcessSync),
    ],
    printer,
    5,
  );
}

/** How many steps the playbook walks (walk() above): the "n/N" of each step line. */
export const TOTAL_STEPS = 13;

/** Runs the steps in order; the first that fails or is not ok is printed and thrown as STRANGLER_E_DEMO_STEP. */
export async function runSteps(steps: Step[], printer: DemoPrinter, firstNumber: number): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const label = `${firstNumber + i}/${TOTAL_STEPS} ${step.name}`;
    printer.begin(label, step.title);
    let result;
    try {
      result = await timed(() => step.run({ progress: (l) => printer.progress(l) }));
    } catch (err) {
      printer.step(step.name, step.title, 0, { ok: false, figures: { error: describeCause(err) }, lines: [], problem: describeCause(err) });
      throw new StranglerError('STRANGLER_E_DEMO_STEP', `demo step ${label} failed: ${describeCause(err)}`, { cause: err, hint: HINT });
    }
    printer.step(step.name, step.title, result.ms, result.value);
    if (!result.value.ok) {
      throw new StranglerError('STRANGLER_E_DEMO_STEP', `demo step ${label} failed: ${result.value.problem ?? 'see the lines above'}`, { hint: HINT });
    }
  }
}

const HINT = 'everything the demo started has been stopped; the lines above show what the step found (STRANGLER_DEBUG=1 for stacks)';
