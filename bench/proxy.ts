/**
 * Proxy throughput and latency, measured in one run on this machine:
 *   direct to the backend, bare http-proxy (keep-alive agent; the baseline), strangler (50 routes,
 *   dials, metrics), and nginx (upstream keepalive, one worker) when `nginx` is on PATH.
 * Prints req/s and p50/p99 latency, with ratios to bare http-proxy. The target: strangler ≥ 1.0× the
 * baseline's throughput, p99 ≤ 1.2×. Also the CPU each target spent per request (from /proc): on a
 * shared machine req/s swings with the neighbours, CPU per request much less.
 *
 * With --redis, strangler keeps its dials in a Redis state store (a private redis-server started
 * here), as replicas do; its request path reads them from memory all the same.
 * With --guard, every strangler route has a guard (routes[].guard), so its answers from new are also
 * recorded in the guard's sliding window and judged every second.
 *
 *   npx tsx bench/proxy.ts [--duration 5] [--connections 32] [--rounds 2] [--redis] [--guard]
 */
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { startRedis } from '../local-servers/redis.js';
import { meanOfRounds, numberFlag, percent, ratio, runLoad, startNginx, startRole, table, type Started } from './proxy-support.js';

const duration = numberFlag('duration', 5);
const connections = numberFlag('connections', 32);
const rounds = numberFlag('rounds', 3);
const guard = process.argv.includes('--guard');
// The role processes inherit it (bench/proxy-roles.ts).
if (guard) process.env.STRANGLER_BENCH_GUARD = '1';

const started: Started[] = [];
const redis = process.argv.includes('--redis') ? await startRedis() : undefined;
if (redis) process.env.STRANGLER_BENCH_REDIS_URL = redis.url;
try {
  const backend = await startRole('backend');
  started.push(backend);
  const bare = await startRole('bare', backend.url);
  started.push(bare);
  const strangler = await startRole('strangler', backend.url);
  started.push(strangler);
  let nginx: Started | undefined;
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    nginx = await startNginx(backend.url);
    started.push(nginx);
  } catch {
    process.stderr.write('nginx not on PATH: skipped\n');
  }

  const path = '/api/users/7';
  const headers = { 'x-user-id': 'user-7' };
  const run = (t: Started) => runLoad(autocannon, `${t.url}${path}`, { connections, duration, headers, target: t });
  // Warm every target (JIT, keep-alive pools) before measuring.
  for (const t of [backend, bare, strangler, nginx]) if (t) await runLoad(autocannon, `${t.url}${path}`, { connections, duration: 1, headers });

  const results: Record<string, Awaited<ReturnType<typeof run>>[]> = { direct: [], 'bare http-proxy': [], strangler: [], nginx: [] };
  results.direct!.push(await run(backend));
  // Interleaved rounds, so that a noisy neighbour hurts both sides alike.
  for (let r = 0; r < rounds; r++) {
    results['bare http-proxy']!.push(await run(bare));
    results.strangler!.push(await run(strangler));
  }
  if (nginx) results.nginx!.push(await run(nginx));

  const summary = Object.entries(results)
    .filter(([, rs]) => rs.length > 0)
    .map(([name, rs]) => ({ name, ...meanOfRounds(rs) }));
  const base = summary.find((s) => s.name === 'bare http-proxy')!;
  process.stdout.write(
    `\nproxy pass-through${redis ? ' (strangler on a Redis state store)' : ''}: ${connections} connections, ${duration} s per run, ${rounds} interleaved rounds for the proxies, small JSON${guard ? ', guard windows on every strangler route' : ''}\n` +
      table([
        ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s vs bare', 'p99 vs bare', 'CPU vs bare', 'errors'],
        ...summary.map((s) => [s.name, s.rps.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2), s.cpu.toFixed(1), ratio(s.rps, base.rps), ratio(s.p99, base.p99), ratio(s.cpu, base.cpu), String(s.errors)]),
      ]),
  );
  const st = summary.find((s) => s.name === 'strangler')!;
  process.stdout.write(
    `strangler: ${ratio(st.rps, base.rps)} bare throughput (target ≥ 1.00×), p99 ${ratio(st.p99, base.p99)} (target ≤ 1.20×)` +
      `; run-to-run spread of bare: ${percent(results['bare http-proxy']!.map((r) => r.rps))}\n`,
  );
} finally {
  await Promise.all(started.map((s) => s.stop()));
  await redis?.stop();
}
