/**
 * The playbook's cutover steps, as ops would run them: the readiness gate over the shadowed routes
 * (what `strangler ready` prints), a ramp carried out by the proxy itself (`strangler routes ramp`,
 * through the admin API), and the guard rolling a route back when the new service starts failing.
 */
import { diffFileFromConfig } from '../../wiring/diffs.js';
import { checkpointEvidence, gateReport } from '../../wiring/readiness.js';
import { createReport } from '../../diffs/report/compute.js';
import { formatReadiness, GATE_DEFAULTS } from '../../diffs/report/readiness.js';
import { readRecords, rotatedFiles } from '../../diffs/jsonl-read.js';
import { DEMO_EXPECTED } from './index.js';
import { metricSum, requestsFor, SHADOWED } from './playbook-routes.js';
import type { DemoStack } from './stack.js';
import { steadyLoad } from './steady-load.js';
import type { Step, StepContext } from './step.js';

const WHO = 'demo-ops';
/**
 * The route the ramp turns and the guard watches (strangler.yaml gives it a guard): one the gate
 * passes, apart from the canary's route and the chat routes the live step moves.
 */
export const RAMP_ROUTE = DEMO_EXPECTED.noise.route;
const RAMP_STEPS = [10, 25, 50];
/** Requests in flight during the ramp and guard steps: steady, and within what the emulator takes. */
const LOAD_CONCURRENCY = 4;

const ms = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x)} ms`);

/** Nothing writes to legacy before the live step: the copy is as current as when it began, minutes ago. */
const DEMO_MAX_LAG_MS = 15 * 60_000;

export function readyStep(stack: DemoStack): Step {
  return {
    name: 'ready',
    title: `strangler ready: the readiness gate over the shadowed routes (responses, latency, errors, data from the checkpoint store)`,
    async run() {
      const { path, maxFiles } = diffFileFromConfig(stack.config);
      const acc = createReport({ maxMismatchPct: GATE_DEFAULTS.maxMismatchPct, minCompared: GATE_DEFAULTS.minCompared, expectedRoutes: [...SHADOWED] });
      for await (const record of readRecords(rotatedFiles(path, maxFiles))) acc.add(record);
      const report = acc.finish();
      const data = await checkpointEvidence(stack.config);
      const verdicts = gateReport(report, stack.config, { ...GATE_DEFAULTS, maxLagMs: DEMO_MAX_LAG_MS }, data ? { data } : {});
      const latency = report.routes.map((r) => ({ route: r.route, new: r.latencyMs.new, legacy: r.latencyMs.legacy }));
      // users.get differs on purpose (displayName); every other shadowed route passes responses,
      // errors and data. Latency is a measurement of this machine: printed, and a ✗ (two cores
      // shared with other work) is reported without stopping the demo.
      const failing = (route: string) => verdicts.find((v) => v.route === route)?.criteria.filter((c) => !c.ok && c.name !== 'latency').map((c) => c.name) ?? ['missing'];
      const wrong = SHADOWED.filter((r) => failing(r).join() !== (r === DEMO_EXPECTED.difference.route ? 'responses' : ''));
      const slow = verdicts.filter((v) => v.criteria.some((c) => c.name === 'latency' && !c.ok)).map((v) => v.route);
      const lines = formatReadiness(verdicts).trimEnd().split('\n');
      lines.push('', 'shadow pairs, p50 / p95:');
      for (const l of latency) lines.push(`  ${l.route.padEnd(20)} new ${ms(l.new.p50)} / ${ms(l.new.p95)}, legacy ${ms(l.legacy.p50)} / ${ms(l.legacy.p95)}`);
      if (slow.length > 0) lines.push(`latency ✗ on ${slow.join(', ')}: this machine is busy (the figures above); the demo goes on`);
      return {
        ok: wrong.length === 0,
        figures: { routes: verdicts, latency, slow },
        lines,
        problem: `not as expected: ${wrong.map((r) => `${r} (${failing(r).join(', ') || 'ready'})`).join(', ')}`,
      };
    },
  };
}

async function until<T>(what: string, deadlineMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(deadlineMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const dialNow = (stack: DemoStack, route: string) => stack.proxy.proxy.routes().find((r) => r.name === route)!.dial;

export function rampStep(stack: DemoStack): Step {
  return {
    name: 'ramp',
    title: `strangler routes ramp ${RAMP_ROUTE} --steps ${RAMP_STEPS.join(',')} --hold 5s: the proxy steps while the guard window is healthy`,
    async run(step: StepContext) {
      // Fallback off: what new fails reaches users, as on a POST (never replayed), so the guard step shows it.
      const fallbackOff = await stack.admin.set(RAMP_ROUTE, { new: 0, shadow: 0, fallback: false }, WHO);
      const load = steadyLoad(stack.proxyUrl, requestsFor(RAMP_ROUTE, 500, stack), LOAD_CONCURRENCY);
      const started = performance.now();
      try {
        await stack.admin.startRamp(RAMP_ROUTE, { steps: RAMP_STEPS, hold: '5s', requireReady: false }, WHO);
        step.progress(`POST /ramps/${RAMP_ROUTE} {"steps":[${RAMP_STEPS}],"hold":"5s"}; steady load, ${LOAD_CONCURRENCY} in flight …`);
        const reached: { value: number; atMs: number }[] = [];
        const ramp = await until('the ramp to finish', 120_000, async () => {
          const r = (await stack.admin.ramps()).ramps.find((x) => x.target === RAMP_ROUTE);
          const value = dialNow(stack, RAMP_ROUTE).new;
          if (value !== (reached.at(-1)?.value ?? 0)) {
            reached.push({ value, atMs: Math.round(performance.now() - started) });
            step.progress(`new ${value}% after ${(reached.at(-1)!.atMs / 1000).toFixed(1)} s${r?.waiting ? ` (then: ${r.waiting})` : ''}`);
          }
          return r && r.status !== 'running' ? r : undefined;
        });
        const history = (await stack.admin.history(RAMP_ROUTE, 10)).changes.filter((c) => c.who === 'ramp').reverse();
        const seen = { ...load.seen };
        const lines = [
          `PATCH /routes/${RAMP_ROUTE} {"fallback":false} → version ${fallbackOff.version}`,
          ...history.map((c) => `v${c.version} by ${c.who}: ${c.reason}`),
          `reached ${reached.map((r) => `${r.value}% at ${(r.atMs / 1000).toFixed(1)} s`).join(', ')}; ramp ${ramp.status}`,
          `users saw ${seen.requests} answers: ${seen.ok} × 200, ${seen.errors} errors; served by ${Object.entries(seen.servedBy).map(([b, c]) => `${b} ${c}`).join(', ')}`,
        ];
        const ok = ramp.status === 'done' && history.length === RAMP_STEPS.length && dialNow(stack, RAMP_ROUTE).new === RAMP_STEPS.at(-1) && seen.errors === 0;
        return { ok, figures: { route: RAMP_ROUTE, steps: RAMP_STEPS, reached, status: ramp.status, changes: history.length, seen }, lines, problem: `ramp ${ramp.status}, ${history.length} step change(s), ${seen.errors} error(s) seen by users` };
      } finally {
        await load.stop();
      }
    },
  };
}

export function guardStep(stack: DemoStack): Step {
  return {
    name: 'guard',
    title: `guard: the new service starts failing half its requests on ${RAMP_ROUTE} under steady load; the proxy rolls back by itself`,
    async run(step: StepContext) {
      const load = steadyLoad(stack.proxyUrl, requestsFor(RAMP_ROUTE, 500, stack, 7), LOAD_CONCURRENCY);
      const from = dialNow(stack, RAMP_ROUTE).new;
      try {
        // The guard only rolls back to a dial it saw healthy for a full window: let it see this one.
        await until(`a healthy guard window at ${from}%`, 60_000, () =>
          stack.proxy.pilot.guard.status(stack.proxy.proxy.compiledRoutes()).find((g) => g.route === RAMP_ROUTE && g.healthyDials.includes(from)),
        );
        step.progress(`a healthy window at new ${from}%; the new service now fails every other request …`);
        const errorsBefore = load.seen.errors;
        const requestsBefore = load.seen.requests;
        stack.newServiceFaults.failShare = 0.5;
        const breachAt = performance.now();
        const to = await until('the guard to roll back', 60_000, () => {
          const d = dialNow(stack, RAMP_ROUTE).new;
          return d < from ? d : undefined;
        });
        const rollbackMs = Math.round(performance.now() - breachAt);
        const userErrors = load.seen.errors - errorsBefore;
        const during = load.seen.requests - requestsBefore;
        stack.newServiceFaults.failShare = 0;
        const change = (await stack.admin.history(RAMP_ROUTE, 1)).changes[0]!;
        const windowSeconds = Number(/(\d+) s after the breach began/.exec(change.reason ?? '')?.[1]);
        const ramp = (await stack.admin.ramps()).ramps.find((x) => x.target === RAMP_ROUTE);
        const rollbacks = await metricSum(stack, 'strangler_guard_rollbacks_total', `route="${RAMP_ROUTE}"`);
        const lines = [
          `v${change.version} by ${change.who}: ${change.reason}`,
          `breach → rollback: ${(rollbackMs / 1000).toFixed(1)} s wall clock (${windowSeconds} s by the window clock; target ≤ 5 s)`,
          `users saw ${userErrors} error(s) in the ${during} requests sent meanwhile (fallback off); the ramp is ${ramp?.status ?? 'gone'}; strangler_guard_rollbacks_total ${rollbacks}`,
        ];
        const ok = change.who === 'guard' && to < from && windowSeconds <= 5;
        return {
          ok,
          figures: { route: RAMP_ROUTE, from, to, rollbackMs, windowSeconds, userErrors, requestsMeanwhile: during, rampStatus: ramp?.status, rollbacks },
          lines,
          problem: `guard change ${change.who}, ${from}% → ${to}%, ${windowSeconds} s by the window clock, ramp ${ramp?.status}`,
        };
      } finally {
        stack.newServiceFaults.failShare = 0;
        await load.stop();
      }
    },
  };
}
