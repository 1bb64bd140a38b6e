/**
 * What shadowing costs the user, measured in one run at the same offered load:
 *   strangler pass-through (shadow 0%), shadow 100% to a fast backend, shadow 100% to a backend
 *   that answers after 10 s, (for comparison) shadow 100% with the mirrored calls and the diff sink
 *   in the proxy's own event loop instead of its shadow worker thread, and a second pass-through
 *   process as a control (what two identical processes differ by). The shadowing proxies hand
 *   their pairs to the real diff sink (bench/proxy-roles.ts). Prints the user-facing p50/p99, their
 *   ratios to pass-through, and the proxy's CPU per request (all its threads: the worker's included).
 * Targets: shadow 100% p99 ≤ 1.25× pass-through; the 10 s-slow shadow adds ≤ 1 ms to the p99.
 *
 * The offered load is open-loop (paced-load.ts: a request due every 1/rate s, latency from when it
 * was due), a share (--load, default 30%) of the pass-through throughput measured first with
 * autocannon. On this 2-core machine the proxy, the legacy backend, the load generator and the shadow
 * backends share the CPU. The shadow backends stand for the new service, which runs on machines of its
 * own: they run at nice 19 (--shadow-nice) so that their CPU comes out of what is idle, as it would
 * elsewhere; the run at nice 0 is printed too (--both), to show what sharing the machine with them costs.
 * With --pin 1 the machine is split the same way for everything else: the proxies under test run on a
 * CPU of their own, the load generator (this process) and the backends on the others, as on machines of
 * their own. On 2 CPUs the load side then saturates first (its CPU carries the load generator and every
 * backend): past ~10% of capacity the pass-through p99 measures that CPU's queue, not the proxy.
 * The default (--pin 0) leaves the scheduler to place everything.
 *
 *   npx tsx bench/proxy-shadow.ts [--duration 5] [--connections 32] [--load 30] [--rounds 9] [--warmup 10] [--shadow-nice 19] [--both 1] [--pin 0]
 */
import autocannon from 'autocannon';
import os from 'node:os';
import { counterOf, meanOfRounds, numberFlag, pinApart, ratio, runLoad, runPaced, startRole, table, type Started } from './proxy-support.js';

const duration = numberFlag('duration', 5);
const connections = numberFlag('connections', 32);
const loadShare = numberFlag('load', 30) / 100;
const rounds = numberFlag('rounds', 9);
const warmup = numberFlag('warmup', 10);
const shadowNice = numberFlag('shadow-nice', 19);
const both = numberFlag('both', 1) === 1;
const pin = numberFlag('pin', 0) === 1;

const started: Started[] = [];
try {
  const legacy = await startRole('backend');
  const fastShadow = await startRole('backend');
  const slowShadow = await startRole('slow-backend');
  started.push(legacy, fastShadow, slowShadow);
  const plain = await startRole('strangler', legacy.url);
  const mirrored = await startRole('strangler', legacy.url, '100', fastShadow.url);
  const slow = await startRole('strangler', legacy.url, '100', slowShadow.url);
  const inline = await startRole('strangler', legacy.url, '100', fastShadow.url, 'inline');
  // The control: a second, identical pass-through process; its ratio to the first is the bench's
  // resolution. (Until the hot path's Sets and Maps became Slots tables, proxy/slots.ts, one of two
  // identical proxies could run with 3-5× longer scavenges and up to 3× the p99 for its whole life.)
  const control = await startRole('strangler', legacy.url);
  const proxies = [plain, mirrored, slow, inline, control];
  started.push(...proxies);
  const split = pin ? (pinApart(proxies, [legacy, fastShadow, slowShadow]) ?? 'not split (no taskset, or one CPU)') : 'not split';
  const niceShadows = (n: number) => {
    for (const b of [fastShadow, slowShadow]) os.setPriority(b.pid!, n);
  };

  const path = '/api/users/7';
  const headers = { 'x-user-id': 'user-7' };
  for (const t of proxies) await runLoad(autocannon, `${t.url}${path}`, { connections, duration: 1, headers });
  const max = await runLoad(autocannon, `${plain.url}${path}`, { connections, duration, headers });
  const rate = Math.max(100, Math.round(max.rps * loadShare));
  // Warm every proxy at the measured rate (JIT, pools, the shadow worker) before the rounds: the
  // first seconds at a new rate show p99s several times the later ones.
  for (const t of proxies) await runPaced(`${t.url}${path}`, { rate, connections, duration: warmup, headers });

  // Rounds alternate the runs, so that a change in the machine's load hits every run alike. Raising
  // a nice value needs no privilege, lowering it back does: the nice-0 runs (--both) come first.
  const runs: [string, Started, number][] = [
    ['pass-through', plain, shadowNice],
    ['shadow 100%', mirrored, shadowNice],
    ['shadow 100%, 10 s-slow shadow', slow, shadowNice],
    ['shadow 100%, in-process (before the worker)', inline, shadowNice],
    ['pass-through again, another process (control)', control, shadowNice],
  ];
  if (both && shadowNice !== 0) runs.unshift(['pass-through (shadow backends at nice 0)', plain, 0], ['shadow 100% (shadow backend at nice 0)', mirrored, 0]);
  const results = runs.map(() => [] as Awaited<ReturnType<typeof runPaced>>[]);
  const mirroredCounts = runs.map(() => ({ pairs: 0, dropped: 0, skipped: 0 }));
  const counters = (t: Started) => Promise.all([counterOf(t, 'strangler_shadow_pairs_total'), counterOf(t, 'strangler_shadow_dropped_total'), counterOf(t, 'strangler_shadow_skipped_total')]);
  for (const nice of [...new Set(runs.map((r) => r[2]))]) {
    niceShadows(nice);
    for (let round = 0; round < rounds; round++) {
      for (const [i, [, t, n]] of runs.entries()) {
        if (n !== nice) continue;
        const before = await counters(t);
        results[i]!.push(await runPaced(`${t.url}${path}`, { rate, connections, duration, headers, target: t }));
        const after = await counters(t);
        mirroredCounts[i]!.pairs += after[0] - before[0];
        mirroredCounts[i]!.dropped += after[1] - before[1];
        mirroredCounts[i]!.skipped += after[2] - before[2];
      }
    }
  }
  // The p99 of a run is its rounds' median: one round that met a hiccup of the machine moves a mean.
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const rows = runs.map(([name, , nice], i) => {
    const rs = results[i]!;
    return { name, nice, ...meanOfRounds(rs), p99s: rs.map((r) => r.p99), p99: median(rs.map((r) => r.p99)), counts: mirroredCounts[i]! };
  });
  // Each run is compared with the pass-through measured with the shadow backends at the same nice value.
  const baseOf = (nice: number) => rows.find((r) => r.name.startsWith('pass-through') && r.nice === nice)!;
  process.stdout.write(
    `\nshadow cost at the same offered load: ${rate} req/s open-loop (${Math.round(loadShare * 100)}% of pass-through's ${max.rps.toFixed(0)} req/s closed-loop), up to ${connections} connections, ${rounds} rounds of ${duration} s per run, shadow backends at nice ${shadowNice}, machine ${split}, load average ${os.loadavg()[0]!.toFixed(1)}\n` +
      table([
        ['run', 'req/s', 'p50 ms', 'p99 ms per round', 'p99 ms (median)', 'proxy CPU µs/req', 'main thread µs/req', 'machine busy / stolen %', 'p99 vs pass-through', 'p99 added ms', 'pairs / dropped / skipped', 'errors'],
        ...rows.map((r) => {
          const base = baseOf(r.nice);
          return [r.name, r.rps.toFixed(0), r.p50.toFixed(2), r.p99s.map((x) => x.toFixed(1)).join(' '), r.p99.toFixed(2), r.cpu.toFixed(1), r.main.toFixed(1), `${r.busy.toFixed(0)} / ${r.steal.toFixed(1)}`, ratio(r.p99, base.p99), (r.p99 - base.p99).toFixed(2), r === base ? '-' : `${r.counts.pairs} / ${r.counts.dropped} / ${r.counts.skipped}`, String(r.errors)];
        }),
      ]) +
      `targets: shadow 100% p99 ≤ 1.25× pass-through; 10 s-slow shadow adds ≤ 1 ms\n`,
  );
} finally {
  await Promise.all(started.map((s) => s.stop()));
}
