/**
 * Three `strangler proxy start` processes sharing one private redis-server (proxy.state.store:
 * redis): changes made through any replica reach all, stay linear under concurrency, and a Redis
 * crash leaves the replicas serving their last dials while changes are refused with a code.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../local-servers/free-port.js';
import { startRedis, type RedisServer } from '../../../local-servers/redis.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { adminHeaders, json, request, spawnProxy, startLoad, type ProxyProcess } from './setup.js';

interface Replica {
  proc: ProxyProcess;
  url: string;
  admin: string;
}

let redis: RedisServer;
let legacy: Upstream;
let next: Upstream;
let dir: string;
const replicas: Replica[] = [];

async function startReplica(i: number): Promise<Replica> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const file = path.join(dir, `replica-${i}.yaml`);
  fs.writeFileSync(
    file,
    `proxy:
  listen: 127.0.0.1:${port}
  admin: { listen: 127.0.0.1:${adminPort}, token: \${STRANGLER_ADMIN_TOKEN} }
  backends:
    legacy: { url: ${legacy.url}, timeoutMs: 5000 }
    new: { url: ${next.url}, timeoutMs: 5000 }
  state: { store: redis, url: ${redis.url}, key: replicas-test }
  routes:
    - { name: flip, match: { path: /flip }, new: 0, shadow: 0 }
    - { name: busy, match: { path: /busy }, new: 0, shadow: 0 }
    - { name: ramped, match: { path: /ramped }, new: 0, guard: { maxErrorRate: 50, maxP95Ms: 5000, window: 1s, minRequests: 1 } }
`,
  );
  const proc = await spawnProxy(file);
  return { proc, url: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${adminPort}` };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
/** Which backend a replica sends /flip to right now. */
const servedBy = async (r: Replica) => (await request(r.url, { path: '/flip', headers: { 'x-user-id': 'u1' }, agent })).body.toString();
const health = async (r: Replica) => json(fetch(`${r.admin}/healthz`));
const patch = (r: Replica, route: string, body: Record<string, unknown>) =>
  fetch(`${r.admin}/routes/${route}`, { method: 'PATCH', headers: adminHeaders(), body: JSON.stringify(body) });
const dialsOf = async (r: Replica) => (await json(fetch(`${r.admin}/routes`, { headers: adminHeaders() }))) as { version: number; routes: { name: string; dial: unknown }[] };

beforeAll(async () => {
  redis = await startRedis();
  legacy = await startUpstream((req, res) => {
    req.resume();
    res.end('legacy');
  });
  next = await startUpstream((req, res) => {
    req.resume();
    res.end('new');
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-replicas-'));
  // One at a time: several tsx start-ups at once on a busy machine can outlast the start bound.
  for (const i of [0, 1, 2]) replicas.push(await startReplica(i));
}, 120_000);

afterAll(async () => {
  agent.destroy();
  for (const r of replicas) if (r.proc.child.exitCode === null) r.proc.child.kill('SIGKILL');
  await legacy?.close();
  await next?.close();
  await redis?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('three proxy replicas on one Redis', () => {
  it('100 concurrent dial changes through the three admin APIs: 100 history entries, versions 1…100, one state everywhere', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => patch(replicas[i % 3]!, 'busy', { shadow: i + 1, who: `admin-${i}` }).then(async (res) => ({ status: res.status, body: (await res.json()) as { version: number } }))),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.map((a) => a.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    const history = (await json(fetch(`${replicas[1]!.admin}/routes/busy/history?limit=1000`, { headers: adminHeaders() }))).changes as {
      version: number;
      who: string;
      before: { shadow: number };
      after: { shadow: number };
    }[];
    expect(history).toHaveLength(100);
    const oldestFirst = [...history].reverse();
    expect(oldestFirst.map((c) => c.version)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(oldestFirst.map((c) => c.who)).size).toBe(100); // none lost, none twice
    // Linear: each change starts from the state the previous one left.
    for (let i = 1; i < oldestFirst.length; i++) expect(oldestFirst[i]!.before).toEqual(oldestFirst[i - 1]!.after);

    const last = oldestFirst[99]!.after;
    for (const r of replicas) {
      await r.proc.until('version 100 on every replica', async () => (await dialsOf(r)).version === 100);
      expect((await dialsOf(r)).routes.find((x) => x.name === 'busy')!.dial).toEqual(last);
    }
  }, 60_000);

  it('a change made through one replica is served by the other two (20 changes, propagation printed)', async () => {
    const times: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const writer = replicas[i % 3]!;
      const want = i % 2 === 1 ? 'new' : 'legacy';
      const sent = performance.now();
      const res = await patch(writer, 'flip', { new: want === 'new' ? 100 : 0 });
      expect(res.status).toBe(200);
      const arrived = await Promise.all(
        replicas
          .filter((r) => r !== writer)
          .map(async (r) => {
            await r.proc.until(`change ${i} served by a replica`, async () => (await servedBy(r)) === want, 30_000);
            return performance.now() - sent;
          }),
      );
      times.push(Math.max(...arrived));
    }
    const sorted = [...times].sort((a, b) => a - b);
    process.stdout.write(
      `propagation to all three replicas over ${times.length} changes: p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms\n`,
    );
    expect(times).toHaveLength(20);
  }, 120_000);

  it('Redis SIGKILLed under load: no failed request, dials unchanged, changes refused with the code; restarted: a change reaches all three', async () => {
    const before = await Promise.all(replicas.map(dialsOf));
    const loads = replicas.map((r) => startLoad(r.url, '/flip', 3, { 'x-user-id': 'u1' }));
    await new Promise((r) => setTimeout(r, 200));

    process.kill(-redis.process.child.pid!, 'SIGKILL');
    for (const r of replicas) await r.proc.until('healthz says the store is unreachable', async () => (await health(r)).state.reachable === false, 20_000);
    for (const r of replicas) {
      const h = await health(r);
      expect(h).toMatchObject({ ok: true, state: { store: 'redis', reachable: false } });
      expect(typeof h.state.since).toBe('string');
      const metrics = await (await fetch(`${r.admin}/metrics`, { headers: adminHeaders() })).text();
      expect(metrics).toMatch(/^strangler_state_store_up 0$/m);
      const refused = await patch(r, 'flip', { new: 50 });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('x-strangler-error')).toBe('STRANGLER_E_STATE_UNAVAILABLE');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('STRANGLER_E_STATE_UNAVAILABLE');
    }
    // The replicas keep serving their last dials while Redis is away.
    expect(await Promise.all(replicas.map(dialsOf))).toEqual(before);

    await redis.restart();
    for (const r of replicas) await r.proc.until('healthz says the store is back', async () => (await health(r)).state.reachable === true, 30_000);
    const results = await Promise.all(loads.map((l) => l.stop()));
    expect(results.flatMap((x) => x.failures)).toEqual([]);
    expect(results.every((x) => x.requests > 0)).toBe(true);
    expect(await Promise.all(replicas.map(dialsOf))).toEqual(before); // the restarted Redis kept the state

    const want = (await servedBy(replicas[0]!)) === 'new' ? 'legacy' : 'new';
    expect((await patch(replicas[1]!, 'flip', { new: want === 'new' ? 100 : 0 })).status).toBe(200);
    for (const r of replicas) await r.proc.until('the change after the restart reaches every replica', async () => (await servedBy(r)) === want, 30_000);
    expect(new Set((await Promise.all(replicas.map(dialsOf))).map((d) => d.version)).size).toBe(1);
  }, 120_000);

  it('a ramp started through one replica is stepped by exactly one of them (the pilot lease in Redis) and seen by all', async () => {
    // Traffic on every replica, a different user each time, so that whichever replica holds the lease
    // sees new-service answers in its guard window (a ramp steps on a healthy window only).
    let running = true;
    let n = 0;
    const failures: string[] = [];
    const loops = replicas.map(async (r) => {
      while (running) {
        const x = await request(r.url, { path: '/ramped', headers: { 'x-user-id': `user-${n++}` }, agent }).catch((err: unknown) => ({ status: 0, body: Buffer.from(String(err)) }));
        if (x.status !== 200) failures.push(`${x.status} ${x.body.toString()}`);
      }
    });
    try {
      const started = await fetch(`${replicas[2]!.admin}/ramps/ramped`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ steps: [20, 60, 100], hold: '1s', who: 'ops' }) });
      expect(started.status).toBe(200);
      for (const r of replicas) {
        await r.proc.until(
          'the ramp done, at 100%, on every replica',
          async () => {
            const ramps = (await json(fetch(`${r.admin}/ramps`, { headers: adminHeaders() }))).ramps as { target: string; status: string }[];
            const dial = (await dialsOf(r)).routes.find((x) => x.name === 'ramped')!.dial as { new: number };
            return ramps.some((x) => x.target === 'ramped' && x.status === 'done') && dial.new === 100;
          },
          60_000,
        );
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(failures).toEqual([]);
    const history = (await json(fetch(`${replicas[0]!.admin}/routes/ramped/history`, { headers: adminHeaders() }))).changes as { version: number; who: string; after: { new: number } }[];
    const steps = history.filter((c) => c.who === 'ramp').reverse();
    // Each step once: two replicas stepping the same ramp would have written a step twice.
    expect(steps.map((c) => c.after.new)).toEqual([20, 60, 100]);
    expect(new Set((await Promise.all(replicas.map(dialsOf))).map((d) => d.version)).size).toBe(1);
  }, 120_000);
});
