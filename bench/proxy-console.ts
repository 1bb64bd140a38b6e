/**
 * Pass-through throughput with web consoles open: the same strangler process (50 routes, dials,
 * metrics; see proxy-roles.ts) measured in interleaved rounds
 *   - alone,
 *   - with --consoles N signed-in consoles polling as the Routes page does (routes + live rates every
 *     3 s, readiness every 15 s),
 *   - with one console polling routes + rates every 100 ms (a stress figure, 30× the page's rate),
 * and bare http-proxy as the baseline. The console's reads are the admin side's own (route table,
 * counters copied by a timer, diff records), so the first two rows should not differ beyond noise.
 *
 *   npx tsx bench/proxy-console.ts [--duration 5] [--connections 32] [--rounds 3] [--consoles 5]
 */
import autocannon from 'autocannon';
import { meanOfRounds, numberFlag, percent, ratio, runLoad, startRole, table, type LoadResult, type Started } from './proxy-support.js';

const duration = numberFlag('duration', 5);
const connections = numberFlag('connections', 32);
const rounds = numberFlag('rounds', 3);
const consoles = numberFlag('consoles', 5);
const TOKEN = 'bench-admin-token-0123456789';

/** Signs in to the console; returns the session cookie to send. */
async function signIn(adminUrl: string): Promise<string> {
  const res = await fetch(`${adminUrl}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
  if (!res.ok) throw new Error(`console sign-in: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** A signed-in console polling like the page; returns how many polls it made when stopped. */
async function openConsole(adminUrl: string, routesEveryMs: number, verdictEveryMs: number): Promise<{ stop: () => Promise<number> }> {
  const cookie = await signIn(adminUrl);
  let polls = 0;
  let running = true;
  const loop = async (path: string, everyMs: number) => {
    while (running) {
      const r = await fetch(`${adminUrl}/console/api/${path}`, { headers: { cookie } });
      if (!r.ok) throw new Error(`console ${path}: ${r.status}`);
      await r.arrayBuffer();
      polls++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  };
  const loops = [loop('routes', routesEveryMs), loop('verdicts', verdictEveryMs)];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return polls;
    },
  };
}

const started: Started[] = [];
try {
  const backend = await startRole('backend');
  started.push(backend);
  const bare = await startRole('bare', backend.url);
  started.push(bare);
  const strangler = await startRole('strangler', backend.url);
  started.push(strangler);

  const path = '/api/users/7';
  const headers = { 'x-user-id': 'user-7' };
  const run = (t: Started) => runLoad(autocannon, `${t.url}${path}`, { connections, duration, headers, target: t });
  for (const t of [bare, strangler]) await runLoad(autocannon, `${t.url}${path}`, { connections, duration: 1, headers });

  const results: Record<string, LoadResult[]> = { 'bare http-proxy': [], strangler: [], [`strangler, ${consoles} consoles open`]: [], 'strangler, 1 console polling every 100 ms': [] };
  const polls = { page: 0, stress: 0 };
  for (let r = 0; r < rounds; r++) {
    results['bare http-proxy']!.push(await run(bare));
    results.strangler!.push(await run(strangler));
    const open = await Promise.all(Array.from({ length: consoles }, () => openConsole(strangler.adminUrl!, 3000, 15_000)));
    results[`strangler, ${consoles} consoles open`]!.push(await run(strangler));
    for (const c of open) polls.page += await c.stop();
    const stress = await openConsole(strangler.adminUrl!, 100, 100);
    results['strangler, 1 console polling every 100 ms']!.push(await run(strangler));
    polls.stress += await stress.stop();
  }

  const summary = Object.entries(results).map(([name, rs]) => ({ name, ...meanOfRounds(rs) }));
  const base = summary.find((s) => s.name === 'strangler')!;
  process.stdout.write(
    `\npass-through with the console open: ${connections} connections, ${duration} s per run, ${rounds} interleaved rounds, small JSON; ` +
      `console polls made: ${polls.page} (page rate), ${polls.stress} (100 ms)\n` +
      table([
        ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'req/s vs strangler', 'p99 vs strangler', 'machine busy', 'errors'],
        ...summary.map((s) => [s.name, s.rps.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2), s.cpu.toFixed(1), ratio(s.rps, base.rps), ratio(s.p99, base.p99), `${s.busy.toFixed(0)}%`, String(s.errors)]),
      ]),
  );
  process.stdout.write(`run-to-run spread of strangler alone: ${percent(results.strangler!.map((r) => r.rps))}\n`);

  // What one poll costs the proxy process, beside what one Prometheus scrape costs it (no load running).
  const cookie = await signIn(strangler.adminUrl!);
  const cost = async (url: string, h: Record<string, string>) => {
    const n = 200;
    const before = strangler.cpuMs();
    for (let i = 0; i < n; i++) await (await fetch(url, { headers: h })).arrayBuffer();
    return (strangler.cpuMs() - before) / n;
  };
  const routesMs = await cost(`${strangler.adminUrl}/console/api/routes`, { cookie });
  const verdictsMs = await cost(`${strangler.adminUrl}/console/api/verdicts`, { cookie });
  const metricsMs = await cost(`${strangler.adminUrl}/metrics`, { authorization: `Bearer ${TOKEN}` });
  process.stdout.write(`proxy CPU per request, idle: console routes+rates ${routesMs.toFixed(2)} ms, verdicts ${verdictsMs.toFixed(2)} ms, one /metrics scrape ${metricsMs.toFixed(2)} ms\n`);
} finally {
  await Promise.all(started.map((s) => s.stop()));
}
