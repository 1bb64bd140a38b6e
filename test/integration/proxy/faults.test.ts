import http from 'node:http';
import net from 'node:net';
import { deadPort, startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, rawExchange, request, startTestProxy, type TestProxy } from './setup.js';

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
    if (req.url === '/trickle') {
      // A byte every 100 ms for 700 ms: slower in total than a 300 ms timeout, never silent that long.
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const t = setInterval(() => {
        res.write('.');
        if (++n === 7) {
          clearInterval(t);
          res.end();
        }
      }, 100).unref();
      return;
    }
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
    // The 504 and its message are the proof that the timeout fired (the backend would answer 200 later);
    // how soon is the bench's business, not a test's on a busy machine.
    const r = await request(p.url, { path: '/slow' });
    expect(r.status).toBe(504);
    expect(r.headers['x-strangler-error']).toBe('STRANGLER_E_PROXY_TIMEOUT');
    expect(errorBody(r.body).error.message).toContain('300 ms');
    expect((await request(p.url, { path: '/fine' })).body.toString()).toBe('ok');
  });

  it('times the backend out on silence, not on the total time of a response that keeps coming', async () => {
    const p = await proxyTo(legacy.url, 300);
    const r = await request(p.url, { path: '/trickle' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('.......');
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

  it('sends an idempotent request again when a pooled connection was closed under it', async () => {
    // A backend that serves one request per connection, keeps the connection open as if alive, and
    // resets it when a second request arrives on it: the keep-alive race, every time.
    let served = 0;
    const flaky = net.createServer((s) => {
      let count = 0;
      s.on('data', () => {
        if (++count === 1) {
          served++;
          s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
        } else s.resetAndDestroy();
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const p = await proxyTo(`http://127.0.0.1:${(flaky.address() as net.AddressInfo).port}`);
    for (let i = 0; i < 5; i++) expect((await request(p.url, { path: `/get/${i}` })).status).toBe(200);
    expect(served).toBe(5);
    expect(await p.proxy.metrics.text()).toMatch(/strangler_proxy_stale_connection_retries_total\{route="\(unmatched\)"\} 4/);
    // A POST is never sent twice: the user sees the reset.
    const post = await request(p.url, { method: 'POST', path: '/post', body: 'x' });
    expect([post.status, post.headers['x-strangler-error']]).toEqual([502, 'STRANGLER_E_PROXY_RESET']);
    flaky.close();
  });

  it('survives odd but legal requests from clients', async () => {
    const p = await proxyTo(legacy.url);
    const odd = [
      'GET http://shop.example/abs?x=1 HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      'GET /old HTTP/1.0\r\n\r\n',
      'POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'GET /h2 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      'GET /x HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nConnection: close\r\n\r\n',
    ];
    for (const raw of odd) await rawExchange(p.url, raw, 1000);
    expect((await request(p.url, { path: '/fine' })).body.toString()).toBe('ok');
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
