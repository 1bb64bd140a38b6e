/**
 * The shadow worker's loop: takes mirrored requests whose primary answer the main thread captured,
 * calls the other backend (and legacy again for a noise sample) through its own keep-alive pools,
 * hands each pair to the sink (which compares and stores, here, off the user's event loop) and reports
 * outcomes and the sink's counter increments back in batches.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import { Slots } from '../slots.js';
import type { CapturedResponse, ShadowPair, ShadowSink } from '../shadow-contract.js';
import { mirrorCall, MirrorPools, type MirrorTarget } from './call.js';
import { ResponseCapture } from './capture.js';
import type { CounterDelta, JobBatch, JobMessage, MainMessage, Outcome, WorkerMessage } from './worker-protocol.js';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';

/** How long outcomes wait to be reported together (one message for many jobs). */
const REPORT_MS = 5;

export function serveShadowJobs(port: MessagePort, sink: ShadowSink, registry: Registry | undefined): void {
  let maxConcurrency = 64;
  let running = 0;
  // Two calls per job at most (the mirror and a noise re-call), so the pool never queues.
  const pools = new MirrorPools(() => maxConcurrency * 2);
  // A Slots table, not a Set: see proxy/slots.ts.
  const inflight = new Slots<http.ClientRequest>();
  let outcomes: [number, Outcome][] = [];
  let timer: NodeJS.Timeout | undefined;
  const sent = new Map<string, number>();
  let closing = false;

  const post = (m: WorkerMessage) => port.postMessage(m);

  async function counterDeltas(): Promise<{ counters: CounterDelta[]; help: Record<string, string> }> {
    const counters: CounterDelta[] = [];
    const help: Record<string, string> = {};
    if (!registry) return { counters, help };
    for (const metric of await registry.getMetricsAsJSON()) {
      if (String(metric.type) !== 'counter') continue;
      help[metric.name] = metric.help;
      for (const v of metric.values) {
        const key = `${metric.name}${JSON.stringify(v.labels)}`;
        const delta = v.value - (sent.get(key) ?? 0);
        if (delta > 0) {
          counters.push([metric.name, v.labels as Record<string, string | number>, delta]);
          sent.set(key, v.value);
        }
      }
    }
    return { counters, help };
  }

  async function report(): Promise<void> {
    timer = undefined;
    const batch = outcomes;
    outcomes = [];
    const { counters, help } = await counterDeltas();
    if (batch.length || counters.length) post({ t: 'report', outcomes: batch, counters, help });
  }

  function schedule(): void {
    timer ??= setTimeout(() => void report(), REPORT_MS);
  }

  function done(id: number, outcome: Outcome): void {
    outcomes.push([id, outcome]);
    schedule();
  }

  // The sink counts as it compares, after the job's outcome was reported: report again once it
  // has caught up (a sink with idle(), as the diff sink has), and every second regardless.
  const idle = (sink as Partial<{ idle(): Promise<void> }>).idle?.bind(sink);
  let awaitingIdle = false;
  function afterAccept(): void {
    if (idle === undefined || awaitingIdle) return;
    awaitingIdle = true;
    void idle().then(() => {
      awaitingIdle = false;
      schedule();
    });
  }
  post({ t: 'alive' });
  setInterval(() => {
    schedule();
    post({ t: 'alive' });
  }, 1000).unref();

  function run(m: JobMessage, backends: JobBatch['backends']): void {
    // The bound is on mirrored calls in flight, counted here where they are made.
    if (running >= maxConcurrency) return done(m.id, 'dropped-concurrency');
    if (++running === maxConcurrency) post({ t: 'saturated', on: true });
    const primary: CapturedResponse = { ...m.primary, body: m.primary.body ? Buffer.from(m.primary.body) : undefined };
    const other = backends[m.other];
    const legacy = backends.legacy;
    const shadow = new ResponseCapture(m.other, m.maxBytes);
    const again = m.again ? new ResponseCapture('legacy', m.maxBytes) : undefined;
    const finish = () => {
      const pair: ShadowPair = {
        time: new Date(m.time).toISOString(),
        route: m.route,
        method: m.head.method,
        path: m.head.url,
        requestId: m.requestId ?? randomUUID(),
        primary,
        shadow: shadow.result(),
      };
      if (again) pair.legacyAgain = again.result();
      const skip = pair.primary.skipped ?? pair.shadow.skipped ?? pair.legacyAgain?.skipped;
      if (running-- === maxConcurrency) post({ t: 'saturated', on: false });
      done(m.id, skip ?? 'compared');
      if (closing) return;
      try {
        sink.accept(pair);
        afterAccept();
      } catch {
        // The sink must not throw (see shadow-contract.ts); if it does, the pair is lost, nothing else.
      }
    };
    if (m.body === 'too-large') {
      for (const c of [shadow, again]) c?.fail('body-too-large', 'request body over proxy.shadow.maxBodyBytes');
      return finish();
    }
    const body = m.body ? Buffer.from(m.body) : undefined;
    let pending = again ? 2 : 1;
    const call = (target: MirrorTarget, capture: ResponseCapture) => {
      let handle = -1;
      const out = mirrorCall(m.head, target, pools.urlOf(target.config), pools.agentFor(target.config), capture, body, () => {
        inflight.delete(handle);
        if (--pending === 0) finish();
      });
      handle = inflight.add(out);
    };
    call({ name: m.other, config: other! }, shadow);
    if (again) call({ name: 'legacy', config: legacy! }, again);
  }

  port.on('message', (m: MainMessage) => {
    if (m.t === 'jobs') {
      maxConcurrency = m.maxConcurrency;
      if (!closing) for (const job of m.jobs) run(job, m.backends);
      return;
    }
    if (m.t === 'rules') {
      sink.setRules?.(m.rules);
      return;
    }
    // close: calls in flight are cut (their pairs are not handed over), the sink drains and closes.
    closing = true;
    for (const out of inflight) out.destroy();
    pools.destroy();
    void (async () => {
      try {
        await sink.close();
      } catch (err) {
        post({ t: 'warn', message: 'diff store problem; records may be dropped', error: err instanceof Error ? err.message : String(err) });
      }
      if (timer) clearTimeout(timer);
      await report();
      post({ t: 'closed' });
      port.close();
    })();
  });
}
