import http from 'node:http';
import { deadPort, startUpstream, type Upstream } from '../../support/http.js';
import type { ShadowPair, ShadowSink } from '../../../proxy/shadow-contract.js';
import { proxyConfig, request, setDial, startTestProxy, type TestProxy } from './setup.js';

/** A real sink that keeps what it is given, for the tests to look at. */
class RecordingSink implements ShadowSink {
  readonly pairs: ShadowPair[] = [];
  closed = false;
  accept(pair: ShadowPair): void {
    this.pairs.push(pair);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async waitFor(n: number, ms = 5000): Promise<ShadowPair[]> {
    const deadline = Date.now() + ms;
    while (this.pairs.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.pairs;
  }
}

interface Seen {
  backend: string;
  method: string;
  url: string;
  shadowHeader: string | undefined;
  body: string;
}

function backend(name: string, seen: Seen[], options: { delayMs?: number; big?: boolean } = {}) {
  return startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ backend: name, method: req.method ?? '', url: req.url ?? '', shadowHeader: req.headers['x-strangler-shadow'] as string | undefined, body: Buffer.concat(chunks).toString() });
      const send = () => {
        if (req.url?.startsWith('/big')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096));
        res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
        res.end(JSON.stringify({ backend: name, url: req.url }));
      };
      if (options.delayMs) setTimeout(send, options.delayMs).unref();
      else send();
    });
  });
}

const started: { stop?: (ms?: number) => Promise<void>; close?: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const s of started.reverse()) await (s.stop ? s.stop(100) : s.close!());
});

async function setup(options: { routes: unknown[]; shadow?: Record<string, number>; newDelayMs?: number; newUrl?: string; newTimeoutMs?: number }) {
  const seen: Seen[] = [];
  const legacy = await backend('legacy', seen);
  started.push(legacy);
  let newUrl = options.newUrl;
  if (!newUrl) {
    const next: Upstream = await backend('new', seen, { delayMs: options.newDelayMs });
    started.push(next);
    newUrl = next.url;
  }
  const cfg = proxyConfig(legacy.url, newUrl, { routes: options.routes, shadow: { maxConcurrency: 64, maxBodyBytes: 1024, noiseSample: 0, noiseWarmup: 0, ...options.shadow } });
  const sink = new RecordingSink();
  const proxy: TestProxy = await startTestProxy({ ...cfg, backends: { legacy: cfg.backends.legacy, new: { ...cfg.backends.new, timeoutMs: options.newTimeoutMs ?? 2000 } } }, undefined, sink);
  started.push(proxy);
  return { seen, sink, proxy };
}

const json = (b: Buffer) => JSON.parse(b.toString()) as { backend: string };

describe('shadow mirroring', () => {
  it('mirrors a GET to the other backend and hands both answers to the sink', async () => {
    const { seen, sink, proxy } = await setup({ routes: [{ name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, shadow: 100 }] });
    const r = await request(proxy.url, { path: '/api/users/7?x=1', headers: { 'x-request-id': 'req-1' } });
    expect(json(r.body).backend).toBe('legacy');
    expect(r.headers['x-backend']).toBe('legacy');
    const [pair] = await sink.waitFor(1);
    expect(pair).toMatchObject({ route: 'profile.get', method: 'GET', path: '/api/users/7?x=1', requestId: 'req-1' });
    expect(pair!.primary).toMatchObject({ backend: 'legacy', status: 200, headers: { 'x-backend': 'legacy' } });
    expect(pair!.shadow).toMatchObject({ backend: 'new', status: 200, headers: { 'x-backend': 'new' } });
    expect(json(pair!.primary.body!)).toEqual({ backend: 'legacy', url: '/api/users/7?x=1' });
    expect(json(pair!.shadow.body!)).toEqual({ backend: 'new', url: '/api/users/7?x=1' });
    expect(pair!.primary.latencyMs).toBeGreaterThan(0);
    expect(pair!.legacyAgain).toBeUndefined();
    expect(new Date(pair!.time).getTime()).toBeLessThanOrEqual(Date.now());
    // Only the mirrored call carries the shadow header.
    expect(seen.map((s) => [s.backend, s.shadowHeader])).toEqual(expect.arrayContaining([['legacy', undefined], ['new', '1']]));
    expect(await proxy.proxy.metrics.text()).toMatch(/strangler_shadow_pairs_total\{route="profile.get"\} 1/);
  });

  it('mirrors the other way when new serves the user, and asks legacy twice for a noise sample', async () => {
    const { sink, proxy } = await setup({ routes: [{ name: 'r', match: { path: '/r' }, new: 100, shadow: 100 }], shadow: { noiseSample: 100 } });
    const r = await request(proxy.url, { path: '/r' });
    expect(json(r.body).backend).toBe('new');
    const [pair] = await sink.waitFor(1);
    expect([pair!.primary.backend, pair!.shadow.backend, pair!.legacyAgain?.backend]).toEqual(['new', 'legacy', 'legacy']);
    expect(json(pair!.legacyAgain!.body!).backend).toBe('legacy');
  });

  it('never mirrors a POST by default; mirrors it with its body when the route opts in (never asking legacy twice)', async () => {
    const { seen, sink, proxy } = await setup({
      routes: [
        { name: 'plain', match: { path: '/plain' }, shadow: 100 },
        { name: 'writes', match: { path: '/writes' }, shadow: 100, mirrorWrites: true },
      ],
      shadow: { noiseSample: 100 },
    });
    const body = 'a[]=1&a[]=2&b[c]=x';
    await request(proxy.url, { method: 'POST', path: '/plain', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.pairs).toHaveLength(0);
    expect(seen.filter((s) => s.url === '/plain').map((s) => s.backend)).toEqual(['legacy']);

    await request(proxy.url, { method: 'POST', path: '/writes', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const [pair] = await sink.waitFor(1);
    expect(pair).toMatchObject({ method: 'POST', primary: { backend: 'legacy' }, shadow: { backend: 'new', status: 200 } });
    expect(pair!.legacyAgain).toBeUndefined();
    const copies = seen.filter((s) => s.url === '/writes');
    expect(copies.map((s) => [s.backend, s.body, s.shadowHeader])).toEqual(expect.arrayContaining([['legacy', body, undefined], ['new', body, '1']]));
    expect(copies).toHaveLength(2);
  });

  it('skips bodies over the cap, counting the reason, and leaves the user answer whole', async () => {
    const { sink, proxy } = await setup({ routes: [{ name: 'big', match: { path: '/big' }, shadow: 100 }] });
    const r = await request(proxy.url, { path: '/big' });
    expect(r.body.length).toBe(4096);
    const [pair] = await sink.waitFor(1);
    expect(pair!.primary).toMatchObject({ status: 200, skipped: 'body-too-large', body: undefined });
    expect(await proxy.proxy.metrics.text()).toMatch(/strangler_shadow_skipped_total\{route="big",reason="body-too-large"\} 1/);
  });

  it('a dead shadow backend leaves the user answers unchanged', async () => {
    const { sink, proxy } = await setup({ routes: [{ name: 'r', match: { path: '/r' }, shadow: 100 }], newUrl: `http://127.0.0.1:${await deadPort()}` });
    for (let i = 0; i < 20; i++) {
      const r = await request(proxy.url, { path: '/r' });
      expect([r.status, json(r.body).backend]).toEqual([200, 'legacy']);
    }
    const pairs = await sink.waitFor(20);
    expect(pairs[0]!.shadow).toMatchObject({ backend: 'new', status: 0, skipped: 'backend-error', error: 'STRANGLER_E_PROXY_CONNECT', body: undefined });
  });

  it('a 10 s-slow shadow backend neither slows nor changes the user answers, and mirrors stay bounded', async () => {
    const { sink, proxy } = await setup({
      routes: [{ name: 'r', match: { path: '/r' }, shadow: 100 }],
      newDelayMs: 10_000,
      // Mirrors give up after 2 s: a user answer that waited for its mirror would take at least that.
      newTimeoutMs: 2000,
      shadow: { maxConcurrency: 4 },
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const latencies: number[] = [];
    let maxActive = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now();
          const r = await request(proxy.url, { path: '/r', agent });
          latencies.push(performance.now() - t0);
          expect([r.status, json(r.body).backend]).toEqual([200, 'legacy']);
          maxActive = Math.max(maxActive, proxy.proxy.shadowActive);
        }
      }),
    );
    agent.destroy();
    latencies.sort((a, b) => a - b);
    // Every user answer came long before the mirror's 2 s timeout (let alone the shadow's 10 s), the
    // typical one in a few ms, and the mirrors never exceeded the bound.
    expect(latencies.at(-1)!).toBeLessThan(1500);
    expect(latencies[Math.floor(latencies.length / 2)]!).toBeLessThan(100);
    expect(maxActive).toBeLessThanOrEqual(4);
    const metrics = await proxy.proxy.metrics.text();
    const dropped = Number(/strangler_shadow_dropped_total\{route="r"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(dropped).toBeGreaterThan(50);
    // The timed-out mirrors drain: nothing stays in flight, every pair that was made is handed over.
    const deadline = Date.now() + 5000;
    // (A finished job leaves the in-flight set at once and reaches the sink on the next turn.)
    while ((proxy.proxy.shadowActive > 0 || sink.pairs.length + dropped < 80) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(proxy.proxy.shadowActive).toBe(0);
    expect(sink.pairs.length + dropped).toBe(80);
    expect(sink.pairs.every((p) => p.shadow.skipped === 'timeout' && p.shadow.error === 'STRANGLER_E_PROXY_TIMEOUT')).toBe(true);
  });

  it('turns with the shadow dial at runtime', async () => {
    const { sink, proxy } = await setup({ routes: [{ name: 'r', match: { path: '/r' }, shadow: 0 }] });
    await request(proxy.url, { path: '/r' });
    await setDial(proxy.admin, 'r', { shadow: 100 });
    await request(proxy.url, { path: '/r' });
    await setDial(proxy.admin, 'r', { shadow: 0 });
    await request(proxy.url, { path: '/r' });
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.pairs).toHaveLength(1);
  });
});
