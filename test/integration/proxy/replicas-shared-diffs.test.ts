/**
 * Two `strangler proxy start` processes shadowing at once into one Redis stream (proxy.diffs.store:
 * redis): the report reads every pair of both replicas exactly once, and noise learned by one replica
 * (the only one that samples legacy twice) turns the other's differences on that field into noise.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { createRedisDiffStore } from '../../../diffs/store-redis.js';
import type { DiffRecord } from '../../../diffs/types.js';
import { freePort } from '../../../local-servers/free-port.js';
import { startRedis, type RedisServer } from '../../../local-servers/redis.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, request, spawnProxy, type ProxyProcess } from './setup.js';

const PER_REPLICA = 120;

let redis: RedisServer;
let legacy: Upstream;
let next: Upstream;
let dir: string;
let raw: Redis;
const procs: ProxyProcess[] = [];
const urls: string[] = [];
const configs: string[] = [];

function config(port: number, adminPort: number, noiseSample: number): string {
  return `proxy:
  listen: 127.0.0.1:${port}
  admin: { listen: 127.0.0.1:${adminPort}, token: \${STRANGLER_ADMIN_TOKEN} }
  backends:
    legacy: { url: ${legacy.url}, timeoutMs: 5000 }
    new: { url: ${next.url}, timeoutMs: 5000 }
  state: { store: redis, url: ${redis.url}, key: shared-diffs-test }
  diffs: { store: redis, url: ${redis.url}, key: shared-diffs-test:diffs, maxLen: 100000 }
  shadow: { noiseSample: ${noiseSample}, noiseWarmup: ${noiseSample > 0 ? 10 : 0}, maxConcurrency: 256, workerNice: 0, workerIdle: false }
  routes:
    - { name: item, match: { path: '/items/:id' }, new: 0, shadow: 100 }
`;
}

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url);
  // Both backends answer the same item, each with a stamp of its own: a field that differs between
  // two legacy answers to one request, i.e. noise.
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: req.url, stamp: Math.random() }));
  };
  legacy = await startUpstream(answer);
  next = await startUpstream(answer);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-shared-diffs-'));
  // Replica 0 samples legacy twice on every pair (it learns the noise); replica 1 never does.
  for (const [i, noiseSample] of [100, 0].entries()) {
    const [port, adminPort] = [await freePort(), await freePort()];
    const file = path.join(dir, `replica-${i}.yaml`);
    fs.writeFileSync(file, config(port, adminPort, noiseSample));
    configs.push(file);
    urls.push(`http://127.0.0.1:${port}`);
  }
  // One at a time: several tsx start-ups at once on a busy machine can outlast the start bound.
  for (const f of configs) procs.push(await spawnProxy(f));
}, 120_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  raw?.disconnect();
  await legacy?.close();
  await next?.close();
  await redis?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('two replicas shadowing into one Redis stream', () => {
  it('the report counts every pair of both replicas, once, with noise learned by one applied to all', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    // Both replicas at once, distinct items, so every stored pair can be traced to its request.
    await Promise.all(
      urls.map(async (url, r) => {
        for (let i = 0; i < PER_REPLICA; i += 4) {
          await Promise.all([0, 1, 2, 3].map((k) => request(url, { path: `/items/${r}-${i + k}`, agent }).then((x) => expect(x.status).toBe(200))));
        }
      }),
    );
    agent.destroy();
    // Each mirrored pair is compared off the user's path: wait for the stream to hold them all.
    await procs[0]!.until('every pair in the stream', async () => (await raw.xlen('shared-diffs-test:diffs')) >= 2 * PER_REPLICA, 60_000);
    for (const p of procs) {
      p.child.kill('SIGTERM');
      await p.exited;
    }

    const store = createRedisDiffStore({ url: redis.url, key: 'shared-diffs-test:diffs', maxLen: 100000 });
    const records: DiffRecord[] = [];
    for await (const r of store.records()) records.push(r);
    await store.close();
    expect(records).toHaveLength(2 * PER_REPLICA);
    const paths = records.map((r) => r.path).sort();
    const expected = [0, 1].flatMap((r) => Array.from({ length: PER_REPLICA }, (_, i) => `/items/${r}-${i}`)).sort();
    expect(paths).toEqual(expected); // every pair of both replicas, none twice
    expect(new Set(records.map((r) => r.id)).size).toBe(2 * PER_REPLICA);
    // Replica 1 learned nothing: its records carry /stamp as a real difference…
    const unlearned = records.filter((r) => r.path.startsWith('/items/1-'));
    expect(unlearned.every((r) => !r.match && r.differences.some((d) => d.path.endsWith('stamp')) && !r.noiseLearned)).toBe(true);

    // …and the report, reading the one stream, applies replica 0's noise to them too.
    const io = bufferIo({ ...process.env, STRANGLER_ADMIN_TOKEN: TOKEN });
    const code = await runCli(['diffs', 'report', '-c', configs[1]!, '--format', 'json', '--min-compared', '1', '--max-mismatch', '5'], io);
    const report = JSON.parse(io.out());
    const item = report.routes.find((r: { route: string }) => r.route === 'item');
    expect(item).toMatchObject({ compared: 2 * PER_REPLICA, matched: 2 * PER_REPLICA, mismatched: 0 });
    expect(item.noiseFields.map((f: { path: string }) => f.path)).toContainEqual(expect.stringMatching(/stamp$/));
    expect({ code, err: io.err() }).toEqual({ code: 0, err: '' });
  }, 180_000);
});
