import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../../proxy/state/file-store.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { adminHeaders, json, proxyConfig, setDial, startLoad, startTestProxy, type TestProxy } from './setup.js';

/**
 * The guard's memory of the dials it found healthy lives in the state store: a proxy restarted on
 * the same store rolls back to the same dial as the one before it would have, and a stopped proxy
 * leaves no lease file behind.
 */
let dir: string;
let legacy: Upstream;
let next: Upstream;
let failing = false;
let served = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-guard-restart-'));
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  next = await startUpstream((_req, res) => (failing && served++ % 2 === 0 ? void res.writeHead(500).end('new failed') : res.end('new')));
});

afterAll(async () => {
  await legacy?.close();
  await next?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const guardOf = async (proxy: TestProxy) =>
  ((await json(fetch(`${proxy.admin}/guard`, { headers: adminHeaders() }))).routes as { route: string; healthyDials: number[] }[]).find((r) => r.route === 'orders.get');

async function until(probe: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 100));
}

describe('guard memory across a restart', () => {
  it('a restarted proxy rolls back to the dial the one before found healthy, not to 0', async () => {
    const file = path.join(dir, 'routes.json');
    const config = proxyConfig(legacy.url, next.url, {
      routes: [{ name: 'orders.get', match: { method: 'GET', path: '/api/orders/:id' }, new: 10, fallback: true, guard: { maxErrorRate: 5, maxP95Ms: 1000, window: '3s', minRequests: 5 } }],
    });
    const first = await startTestProxy(config, new FileStateStore(file));
    const load = startLoad(first.url, '/api/orders/1', 4);
    await until(async () => (await guardOf(first))?.healthyDials.includes(10) ?? false);
    await until(async () => (await first.store.load()).guard?.['orders.get']?.healthy.includes(10) ?? false);
    await load.stop();
    await setDial(first.admin, 'orders.get', { new: 40 });
    await first.stop(100);
    await first.store.close();
    expect(fs.existsSync(`${file}.lease-pilot`)).toBe(false);

    const second = await startTestProxy(config, new FileStateStore(file));
    try {
      expect((await json(fetch(`${second.admin}/routes`, { headers: adminHeaders() }))).routes[0].dial.new).toBe(40);
      failing = true;
      const again = startLoad(second.url, '/api/orders/2', 4);
      await until(async () => (await json(fetch(`${second.admin}/routes`, { headers: adminHeaders() }))).routes[0].dial.new < 40);
      await again.stop();
      const change = (await json(fetch(`${second.admin}/routes/orders.get/history`, { headers: adminHeaders() }))).changes[0];
      expect(change).toMatchObject({ who: 'guard', before: { new: 40 }, after: { new: 10 } });
    } finally {
      failing = false;
      await second.stop(100);
      await second.store.close();
    }
  });
});
