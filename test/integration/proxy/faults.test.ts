import http from 'node:http';
import net from 'node:net';
import { deadPort, startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, request, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let garbage: net.Server;
let garbageUrl: string;
const started: TestProxy[] = [];

async function proxyTo(url: string, timeoutMs = 2000): Promise<TestProxy> {
  const cfg = proxyConfig(url, url);
  const p = await startTestProxy({ ...cfg, backends: { legacy: { ...cfg.backends.legacy, timeoutMs }, new: cfg.backends.new } });
  started.push(p);
  return p;
}

beforeAll(async () => {
  legacy = await startUpstream((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1500).unref();
    if (req.url === '/reset') return void req.socket.destroy();
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      return void setTimeout(() => req.socket.destroy(), 20);
    }
    res.end('ok');
  });
  garbage = net.createServer((s) => s.on('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n')));
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  garbageUrl = `http://127.0.0.1:${(garbage.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop(100)));
  await legacy?.close();
  garbage?.close();
});

const errorBody = (b: Buffer) => JSON.parse(b.toString()) as { error: { code: string; backend: string; message: string } };

describe('failure semantics', () => {
  it('answers 502 with a code when the backend is down, and stays up', async () => {
    const p = await proxyTo(`http://127.0.0.1:${await deadPort()}`);
    const r = await request(p.url, { path: '/anything' });
    expect(r.status).toBe(502);
    expect(r.headers['x-strangler-error']).toBe('STRANGLER_E_PROXY_CONNECT');
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(errorBody(r.body).error).toMatchObject({ code: 'STRANGLER_E_PROXY_CONNECT', backend: 'legacy' });
    const again = await request(p.url, { path: '/again' });
    expect(again.status).toBe(502);
  });

  it('answers 504 with a code when the backend is slower than its timeout', async () => {
    const p = await proxyTo(legacy.url, 300);
    const t0 = Date.now();
    const r = await request(p.url, { path: '/slow' });
    expect(r.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(r.headers['x-strangler-error']).toBe('STRANGLER_E_PROXY_TIMEOUT');
    expect(errorBody(r.body).error.message).toContain('300 ms');
    expect((await request(p.url, { path: '/fine' })).body.toString()).toBe('ok');
  });

  it('answers 502 RESET when the backend drops the connection, and 502 PROTOCOL for non-HTTP', async () => {
    const p = await proxyTo(legacy.url);
    const r = await request(p.url, { path: '/reset' });
    expect([r.status, r.headers['x-strangler-error']]).toEqual([502, 'STRANGLER_E_PROXY_RESET']);
    const g = await proxyTo(garbageUrl);
    const bad = await request(g.url, { path: '/' });
    expect([bad.status, bad.headers['x-strangler-error']]).toEqual([502, 'STRANGLER_E_PROXY_PROTOCOL']);
  });

  it('cuts the client connection when the backend dies mid-body, and stays up', async () => {
    const p = await proxyTo(legacy.url);
    await expect(request(p.url, { path: '/cut' })).rejects.toThrow();
    expect((await request(p.url, { path: '/fine' })).status).toBe(200);
    const metrics = await p.proxy.metrics.text();
    expect(metrics).toMatch(/strangler_proxy_errors_total\{route="\(unmatched\)",backend="legacy",code="STRANGLER_E_PROXY_RESET"\} [1-9]/);
  });

  it('survives clients that vanish mid-request', async () => {
    const p = await proxyTo(legacy.url);
    await new Promise<void>((resolve) => {
      const req = http.request(`${p.url}/upload`, { method: 'POST', headers: { 'content-length': '1000' }, agent: false });
      req.on('error', () => resolve());
      req.write('partial');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 30);
    });
    expect((await request(p.url, { path: '/fine' })).status).toBe(200);
  });
});
