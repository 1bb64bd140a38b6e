/**
 * What shadowing costs the user, measured in one run at the same offered load:
 *   strangler pass-through (shadow 0%), shadow 100% to a fast backend, and shadow 100% to a backend
 *   that answers after 10 s. Prints the user-facing p50/p99 and their ratios to pass-through.
 * Targets: shadow 100% p99 ≤ 1.25× pass-through; the 10 s-slow shadow adds ≤ 1 ms to the p99.
 * The offered load is a share (--load, default 30%) of the pass-through throughput measured first: on
 * this 2-core machine the proxy, both backends and the load generator share the CPU, and at 100% a
 * mirrored request costs the proxy about as much as the user's own, so the share must leave headroom.
 *
 *   npx tsx bench/proxy-shadow.ts [--duration 5] [--connections 32] [--load 30]
 */
import autocannon from 'autocannon';
import { ratio, runLoad, startRole, table, type Started } from './proxy-support.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const duration = opt('duration', 5);
const connections = opt('connections', 32);
const loadShare = opt('load', 30) / 100;

const started: Started[] = [];
try {
  const legacy = await startRole('backend');
  const fastShadow = await startRole('backend');
  const slowShadow = await startRole('slow-backend');
  started.push(legacy, fastShadow, slowShadow);
  const plain = await startRole('strangler', legacy.url);
  const mirrored = await startRole('strangler', legacy.url, '100', fastShadow.url);
  const slow = await startRole('strangler', legacy.url, '100', slowShadow.url);
  started.push(plain, mirrored, slow);

  const path = '/api/users/7';
  const headers = { 'x-user-id': 'user-7' };
  for (const t of [plain, mirrored, slow]) await runLoad(autocannon, `${t.url}${path}`, { connections, duration: 1, headers });
  const max = await runLoad(autocannon, `${plain.url}${path}`, { connections, duration, headers });
  const rate = Math.max(100, Math.round(max.rps * loadShare));

  const rows: [string, Awaited<ReturnType<typeof runLoad>>][] = [];
  for (const [name, t] of [
    ['pass-through', plain],
    ['shadow 100%', mirrored],
    ['shadow 100%, 10 s-slow shadow', slow],
  ] as const) {
    rows.push([name, await runLoad(autocannon, `${t.url}${path}`, { connections, duration, headers, overallRate: rate, target: t })]);
  }
  const base = rows[0]![1];
  process.stdout.write(
    `\nshadow cost at the same offered load: ${rate} req/s (${Math.round(loadShare * 100)}% of pass-through's ${max.rps.toFixed(0)} req/s), ${connections} connections, ${duration} s per run\n` +
      table([
        ['run', 'req/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'p99 vs pass-through', 'p99 added ms', 'errors'],
        ...rows.map(([name, r]) => [name, r.rps.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), r.cpuUsPerRequest.toFixed(1), ratio(r.p99, base.p99), (r.p99 - base.p99).toFixed(2), String(r.errors)]),
      ]) +
      `targets: shadow 100% p99 ≤ 1.25× pass-through; 10 s-slow shadow adds ≤ 1 ms (autocannon reports latency in whole ms)\n`,
  );
} finally {
  await Promise.all(started.map((s) => s.stop()));
}
