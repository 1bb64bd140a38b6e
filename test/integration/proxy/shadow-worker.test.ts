import { readdirSync, readFileSync } from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import { createLogger } from '../../../core/logger.js';
import { startProxy } from '../../../proxy/runtime.js';
import { MemoryStateStore } from '../../../proxy/state/memory-store.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, request } from './setup.js';

/**
 * Mirroring as `proxy start` runs it: the mirrored calls and the sink in the proxy's shadow worker
 * thread (proxy/shadow/worker-mirror.ts). The worker entry is a test fixture whose sink sends each
 * pair back over a BroadcastChannel.
 */
const ENTRY = new URL('../../support/fixtures/recording-shadow-worker.ts', import.meta.url);

interface Seen {
  backend: string;
  method: string;
  url: string;
  shadowHeader: string | undefined;
  body: string;
}
type Pair = { route: string; method: string; path: string; requestId: string; primary: { backend: string; status: number; body?: string }; shadow: { backend: string; status: number; body?: string; skipped?: string }; legacyAgain?: unknown };

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

/** An upstream that answers at once, or, given `hold`, only once that promise resolves. */
function backend(name: string, seen: Seen[], hold?: Promise<void>): Promise<Upstream> {
  return startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ backend: name, method: req.method ?? '', url: req.url ?? '', shadowHeader: req.headers['x-strangler-shadow'] as string | undefined, body: Buffer.concat(chunks).toString() });
      const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ backend: name, url: req.url }));
      if (hold) void hold.then(send);
      else send();
    });
  });
}

let n = 0;
/**
 * A proxy whose shadow worker runs the test fixture. The worker runs at nice 0 and outside SCHED_IDLE
 * unless a test is about those: a SCHED_IDLE or nice-19 thread gets no CPU while anything else runs,
 * and the suite must pass on a busy machine.
 */
async function setup(routes: unknown[], options: { crashTimes?: number; hangTimes?: number; noiseSample?: number; maxConcurrency?: number; holdNew?: Promise<void>; workerNice?: number; workerIdle?: boolean } = {}) {
  const seen: Seen[] = [];
  const legacy = await backend('legacy', seen);
  const next = await backend('new', seen, options.holdNew);
  stops.push(() => legacy.close(), () => next.close());
  const channelName = `strangler-shadow-worker-test-${process.pid}-${++n}`;
  const pairs: Pair[] = [];
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (e) => pairs.push((e as MessageEvent).data as Pair);
  stops.push(async () => channel.close());
  const config = proxyConfig(legacy.url, next.url, { routes, shadow: { maxConcurrency: options.maxConcurrency ?? 64, maxBodyBytes: 1024, noiseSample: options.noiseSample ?? 0, noiseWarmup: 0, workerNice: options.workerNice ?? 0, workerIdle: options.workerIdle ?? false } });
  const logged: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => logged.push(line) } });
  const running = await startProxy({ config, store: new MemoryStateStore(), logger, shadowWorker: { entry: ENTRY, hangMs: 1500, data: { channel: channelName, crashes: new Int32Array(new SharedArrayBuffer(4)), crashTimes: options.crashTimes ?? 0, hangs: new Int32Array(new SharedArrayBuffer(4)), hangTimes: options.hangTimes ?? 0 } } });
  stops.push(() => running.stop(100));
  const url = `http://127.0.0.1:${running.address.port}`;
  // Polls a state; the deadline only ends a wait that will never succeed, well inside jest's timeout.
  const waitFor = async (what: () => boolean, ms = 45_000) => {
    const deadline = Date.now() + ms;
    while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return what();
  };
  return { seen, pairs, running, url, waitFor, logged, metrics: () => running.proxy.metrics.text() };
}

/** A field of each thread's /proc/self/task/TID/stat (Linux), counted from 1 as proc(5) does. */
function threadStat(field: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      // Fields 1 and 2 (the id and the name in parentheses) come before ") ".
      out.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[field - 3]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
const threadNice = () => threadStat(19);
/** Each thread's scheduling policy (field 41): 0 SCHED_OTHER, 5 SCHED_IDLE. */
const threadPolicy = () => threadStat(41);
const SCHED_IDLE = 5;

// Nice values and scheduling classes are per thread on Linux only; elsewhere the worker leaves its priority alone (worker-mirror.ts).
const onLinux = process.platform === 'linux' ? it : it.skip;

describe('shadow mirroring in the worker thread', () => {
  onLinux('runs the worker thread at proxy.shadow.workerNice and leaves the proxy\'s own threads at theirs', async () => {
    const before = threadNice();
    const { url, waitFor } = await setup([{ name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, shadow: 100 }], { workerNice: 7 });
    await request(url, { path: '/api/users/7' });
    // The worker lowers its own priority first thing when it boots: wait for that state.
    const lowered = () => [...threadNice()].filter(([tid, nice]) => nice === 7 && !before.has(tid));
    expect(await waitFor(() => lowered().length >= 1)).toBe(true);
    const after = threadNice();
    // The worker (and any thread it started) runs at 7; every thread that was there before (this
    // main thread, libuv's pool, V8's platform threads) keeps its priority.
    for (const [tid, nice] of before) if (after.has(tid)) expect([tid, after.get(tid)]).toEqual([tid, nice]);
    expect(after.get(process.pid)).toBe(before.get(process.pid));
  });

  onLinux('puts the worker thread in SCHED_IDLE (proxy.shadow.workerIdle) and no thread that was there before', async () => {
    const before = threadPolicy();
    const { url, waitFor, logged } = await setup([{ name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, shadow: 100 }], { workerNice: 19, workerIdle: true });
    await request(url, { path: '/api/users/7' });
    // The worker enters SCHED_IDLE first thing when it boots: wait for that state, not for a pair,
    // which a SCHED_IDLE thread never gets to on a machine with anything else to run.
    const idle = () => [...threadPolicy()].filter(([tid, policy]) => policy === SCHED_IDLE && !before.has(tid));
    expect(await waitFor(() => idle().length >= 1)).toBe(true);
    const after = threadPolicy();
    for (const [tid, policy] of before) if (after.has(tid)) expect([tid, after.get(tid)]).toEqual([tid, policy]);
    expect(logged).toEqual([]);
  });

  onLinux('leaves the worker thread out of SCHED_IDLE with workerIdle: false', async () => {
    const before = new Set([...threadPolicy()].filter(([, p]) => p === SCHED_IDLE).map(([tid]) => tid));
    const { pairs, url, waitFor } = await setup([{ name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, shadow: 100 }], { workerIdle: false });
    await request(url, { path: '/api/users/7' });
    expect(await waitFor(() => pairs.length === 1)).toBe(true);
    expect([...threadPolicy()].filter(([tid, p]) => p === SCHED_IDLE && !before.has(tid))).toEqual([]);
  });

  it('mirrors a GET with x-strangler-shadow, hands the pair to the worker sink, and reports its counters on /metrics', async () => {
    const { seen, pairs, url, waitFor, metrics } = await setup([{ name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, shadow: 100 }]);
    const r = await request(url, { path: '/api/users/7?x=1', headers: { 'x-request-id': 'req-1' } });
    expect(JSON.parse(r.body.toString())).toMatchObject({ backend: 'legacy' });
    expect(await waitFor(() => pairs.length === 1)).toBe(true);
    expect(pairs[0]).toMatchObject({ route: 'profile.get', method: 'GET', path: '/api/users/7?x=1', requestId: 'req-1', primary: { backend: 'legacy', status: 200 }, shadow: { backend: 'new', status: 200 } });
    expect(JSON.parse(pairs[0]!.primary.body!)).toEqual({ backend: 'legacy', url: '/api/users/7?x=1' });
    expect(JSON.parse(pairs[0]!.shadow.body!)).toEqual({ backend: 'new', url: '/api/users/7?x=1' });
    const mirrored = seen.filter((s) => s.backend === 'new');
    expect(mirrored).toEqual([expect.objectContaining({ method: 'GET', url: '/api/users/7?x=1', shadowHeader: '1' })]);
    expect(seen.find((s) => s.backend === 'legacy')!.shadowHeader).toBeUndefined();
    let text = '';
    expect(
      await waitFor(() => /test_sink_accepted_total\{route="profile.get"\} 1/.test(text) && /strangler_shadow_pairs_total\{route="profile.get"\} 1/.test(text) ? true : (void metrics().then((t) => (text = t)), false)),
    ).toBe(true);
  });

  it('does not mirror a POST unless the route mirrors writes; mirrors its body when it does', async () => {
    const { seen, pairs, url, waitFor } = await setup([
      { name: 'plain', match: { method: ['GET', 'POST'], path: '/plain' }, shadow: 100 },
      { name: 'writes', match: { method: 'POST', path: '/writes' }, shadow: 100, mirrorWrites: true },
    ]);
    await request(url, { method: 'POST', path: '/plain', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await request(url, { method: 'POST', path: '/writes', body: 'b[]=2&b[]=3', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await waitFor(() => pairs.length === 1)).toBe(true);
    expect(pairs[0]!.route).toBe('writes');
    expect(seen.filter((s) => s.backend === 'new')).toEqual([expect.objectContaining({ method: 'POST', url: '/writes', body: 'b[]=2&b[]=3', shadowHeader: '1' })]);
  });

  it('over maxConcurrency mirrored calls in flight, a mirror is dropped and counted; the users are not slowed', async () => {
    // The new backend answers no mirror until every user has been answered.
    let release!: () => void;
    const holdNew = new Promise<void>((resolve) => (release = resolve));
    const { pairs, url, waitFor, metrics } = await setup([{ name: 'r', match: { method: 'GET', path: '/r/:id' }, shadow: 100 }], { maxConcurrency: 1, holdNew });
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => request(url, { path: `/r/${i}` })));
    expect(pairs).toEqual([]); // every user was answered while the mirror still waited
    release();
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    let text = '';
    const dropped = () => Number(/strangler_shadow_dropped_total\{route="r"\} (\d+)/.exec(text)?.[1] ?? 0);
    const compared = () => Number(/strangler_shadow_pairs_total\{route="r"\} (\d+)/.exec(text)?.[1] ?? 0);
    expect(await waitFor(() => (dropped() + compared() === 6 ? true : (void metrics().then((t) => (text = t)), false)))).toBe(true);
    expect(dropped()).toBeGreaterThanOrEqual(1);
    expect(compared()).toBeGreaterThanOrEqual(1);
    expect(pairs.length).toBe(compared());
  });

  it('a failing worker is restarted and counted; the proxy keeps answering, and mirrors again once it is back', async () => {
    // The first two workers fail on their first pair; the third works.
    const { pairs, url, metrics } = await setup([{ name: 'r', match: { method: 'GET', path: '/r/:id' }, shadow: 100 }], { crashTimes: 2 });
    const restarts = (text: string) => Number(/strangler_shadow_worker_restarts_total (\d+)/.exec(text)?.[1] ?? 0);
    let text = '';
    // Until the third worker mirrors (each restart boots a worker: seconds on a busy machine).
    for (let i = 0; i < 5000 && pairs.length === 0; i++) {
      const r = await request(url, { path: `/r/${i}` });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body.toString())).toMatchObject({ backend: 'legacy' });
      await new Promise((done) => setTimeout(done, 50));
    }
    text = await metrics();
    expect(restarts(text)).toBe(2);
    expect(pairs.length).toBeGreaterThanOrEqual(1);
    expect(pairs[0]!.route).toBe('r');
    // The pairs lost with a failed worker are counted as skipped (aborted).
    expect(text).toMatch(/strangler_shadow_skipped_total\{route="r",reason="aborted"\} [1-9]/);
  }, 300_000); // a bound for a hang only: worker restarts boot a new thread each

  it('a worker stuck in an endless loop is ended and restarted; the proxy keeps answering meanwhile', async () => {
    const { pairs, url, metrics, waitFor } = await setup([{ name: 'r', match: { method: 'GET', path: '/r/:id' }, shadow: 100 }], { hangTimes: 1 });
    const restarts = (text: string) => Number(/strangler_shadow_worker_restarts_total (\d+)/.exec(text)?.[1] ?? 0);
    // The first pair sends the worker into its loop; the users are answered all along: also while
    // the worker is stuck (answered with the restart not yet counted), not only once it is replaced.
    let answeredWhileStuck = 0;
    for (let i = 0; i < 5000 && pairs.length === 0; i++) {
      const r = await request(url, { path: `/r/${i}` });
      expect(r.status).toBe(200);
      if (i > 0 && restarts(await metrics()) === 0) answeredWhileStuck++;
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(pairs.length).toBeGreaterThanOrEqual(1);
    expect(answeredWhileStuck).toBeGreaterThanOrEqual(1);
    let text = '';
    expect(await waitFor(() => (restarts(text) === 1 ? true : (void metrics().then((t) => (text = t)), false)))).toBe(true);
  }, 300_000); // a bound for a hang only
});
