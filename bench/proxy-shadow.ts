/**
 * What shadowing costs the user, measured in one run at the same offered load:
 *   strangler pass-through (shadow 0%), shadow 100% to a fast backend, shadow 100% to a backend
 *   that answers after 10 s, and (for comparison) shadow 100% with the mirrored calls and the diff sink
 *   in the proxy's own event loop instead of its shadow worker thread. The shadowing proxies hand
 *   their pairs to the real diff sink (bench/proxy-roles.ts). Prints the user-facing p50/p99, their
 *   ratios to pass-through, and the proxy's CPU per request (all its threads: the worker's included).
 * Targets: shadow 100% p99 ≤ 1.25× pass-through; the 10 s-slow shadow adds ≤ 1 ms to the p99.
 * The offered load is a share (--load, default 30%) of the pass-through throughput measured first: on
 * this 2-core machine the proxy, both backends and the load generator share the CPU, and at 100% a
 * mirrored request costs the proxy about as much as the user's own, so the share must leave headroom.
 *
 *   npx tsx bench/proxy-shadow.ts [--duration 5] [--connections 32] [--load 30] [--rounds 2]
 */
import autocannon from 'autocannon';
import os from 'node:os';
import { counterOf, numberFlag, ratio, runLoad, startRole, table, type Started } from './proxy-support.js';

const duration = numberFlag('duration', 5);
const connections = numberFlag('connections', 32);
const loadShare = numberFlag('load', 30) / 100;
const rounds = numberFlag('rounds', 2);

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
  started.push(plain, mirrored, slow, inline);

  const path = '/api/users/7';
  const headers = { 'x-user-id': 'user-7' };
  for (const t of [plain, mirrored, slow, inline]) await runLoad(autocannon, `${t.url}${path}`, { connections, duration: 1, headers });
  const max = await runLoad(autocannon, `${plain.url}${path}`, { connections, duration, headers });
  const rate = Math.max(100, Math.round(max.rps * loadShare));

  // Rounds alternate the runs, so that a change in the machine's load hits every run alike.
  const runs = [
    ['pass-through', plain],
    ['shadow 100%', mirrored],
    ['shadow 100%, 10 s-slow shadow', slow],
    ['shadow 100%, in-process (before the worker)', inline],
  ] as const;
  const results = runs.map(() => [] as Awaited<ReturnType<typeof runLoad>>[]);
  const mirroredCounts = runs.map(() => ({ pairs: 0, dropped: 0, skipped: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, t]] of runs.entries()) {
      const before = await Promise.all([counterOf(t, 'strangler_shadow_pairs_total'), counterOf(t, 'strangler_shadow_dropped_total'), counterOf(t, 'strangler_shadow_skipped_total')]);
      results[i]!.push(await runLoad(autocannon, `${t.url}${path}`, { connections, duration, headers, overallRate: rate, target: t }));
      const after = await Promise.all([counterOf(t, 'strangler_shadow_pairs_total'), counterOf(t, 'strangler_shadow_dropped_total'), counterOf(t, 'strangler_shadow_skipped_total')]);
      mirroredCounts[i]!.pairs += after[0] - before[0];
      mirroredCounts[i]!.dropped += after[1] - before[1];
      mirroredCounts[i]!.skipped += after[2] - before[2];
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = runs.map(([name], i) => {
    const rs = results[i]!;
    return { name, rps: mean(rs.map((r) => r.rps)), p50: mean(rs.map((r) => r.p50)), p99s: rs.map((r) => r.p99), p99: mean(rs.map((r) => r.p99)), cpu: mean(rs.map((r) => r.cpuUsPerRequest)), main: mean(rs.map((r) => r.mainCpuUsPerRequest)), errors: rs.reduce((a, r) => a + r.errors, 0), counts: mirroredCounts[i]! };
  });
  const base = rows[0]!;
  process.stdout.write(
    `\nshadow cost at the same offered load: ${rate} req/s (${Math.round(loadShare * 100)}% of pass-through's ${max.rps.toFixed(0)} req/s), ${connections} connections, ${rounds} rounds of ${duration} s per run, load average ${os.loadavg()[0]!.toFixed(1)}\n` +
      table([
        ['run', 'req/s', 'p50 ms', 'p99 ms per round', 'p99 ms', 'proxy CPU µs/req', 'main thread µs/req', 'p99 vs pass-through', 'p99 added ms', 'pairs / dropped / skipped', 'errors'],
        ...rows.map((r) => [r.name, r.rps.toFixed(0), r.p50.toFixed(2), r.p99s.map((x) => x.toFixed(0)).join(' '), r.p99.toFixed(1), r.cpu.toFixed(1), r.main.toFixed(1), ratio(r.p99, base.p99), (r.p99 - base.p99).toFixed(1), r === base ? '-' : `${r.counts.pairs} / ${r.counts.dropped} / ${r.counts.skipped}`, String(r.errors)]),
      ]) +
      `targets: shadow 100% p99 ≤ 1.25× pass-through; 10 s-slow shadow adds ≤ 1 ms (autocannon reports latency in whole ms)\n`,
  );
} finally {
  await Promise.all(started.map((s) => s.stop()));
}
