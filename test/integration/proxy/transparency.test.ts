import { createHash } from 'node:crypto';
import http from 'node:http';
import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, rawExchange, request, startTestProxy, type TestProxy } from './setup.js';

/** The legacy backend: echoes what it received, and serves the fixtures the tests ask for. */
function legacyHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  if (url === '/chunked') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let i = 0;
    const tick = (): void => {
      if (i >= 5) return void res.end('done\n');
      res.write(`part ${i++}\n`);
      setTimeout(tick, 5);
    };
    return tick();
  }
  if (url === '/no-content') return void res.writeHead(204, { 'x-kind': 'empty' }).end();
  if (url === '/not-modified') return void res.writeHead(304, { etag: '"v1"' }).end();
  if (url === '/redirect') return void res.writeHead(302, { location: 'http://elsewhere.example/login?next=%2F' }).end();
  if (url === '/cookies') {
    res.setHeader('set-cookie', ['a=1; Path=/; HttpOnly', 'b=2; Path=/api', 'c=3; Max-Age=0']);
    return void res.end('cookies');
  }
  if (url === '/hop') {
    res.setHeader('keep-alive', 'timeout=5');
    res.setHeader('connection', 'x-private');
    res.setHeader('x-private', 'secret');
    return void res.end('hop');
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.setHeader('x-echo-method', req.method ?? '');
    res.setHeader('x-echo-url', Buffer.from(url, 'latin1').toString('base64'));
    res.setHeader('x-echo-headers', Buffer.from(JSON.stringify(req.headers)).toString('base64'));
    res.setHeader('content-type', 'application/octet-stream');
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

const echoed = (r: { headers: http.IncomingHttpHeaders }) => ({
  url: Buffer.from(String(r.headers['x-echo-url']), 'base64').toString('latin1'),
  headers: JSON.parse(Buffer.from(String(r.headers['x-echo-headers']), 'base64').toString()) as Record<string, string>,
});

let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;
let hosted: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream(legacyHandler);
  next = await startUpstream(legacyHandler);
  proxy = await startTestProxy(proxyConfig(legacy.url, next.url, { routes: [{ name: 'users', match: { path: '/api/users/:id' }, new: 0 }] }));
  const cfg = proxyConfig(legacy.url, next.url);
  hosted = await startTestProxy({ ...cfg, backends: { ...cfg.backends, legacy: { ...cfg.backends.legacy, host: 'legacy.internal' } } });
});

afterAll(async () => {
  await proxy?.stop(100);
  await hosted?.stop(100);
  await legacy?.close();
  await next?.close();
});

describe('transparency', () => {
  it('forwards PHP-style form bodies byte for byte', async () => {
    const body = 'a[]=1&a[]=2&b[c][d]=x&e=%E2%82%AC&f=a+b&g=';
    const r = await request(proxy.url, { method: 'POST', path: '/form.php', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(r.status).toBe(200);
    expect(r.body.toString('latin1')).toBe(body);
    expect(echoed(r).headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('forwards multipart bodies with binary parts intact', async () => {
    const boundary = '----strangler7MA4YWxkTrZu0gW';
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="tags[]"\r\n\r\none\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="tags[]"\r\n\r\ntwo\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      binary,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const r = await request(proxy.url, { method: 'POST', path: '/upload.php', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(r.body.equals(body)).toBe(true);
  });

  it('streams a chunked request body and a chunked response', async () => {
    const parts = ['alpha', 'beta', 'gamma'];
    const r = await new Promise<{ body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(`${proxy.url}/chunky`, { method: 'PUT', agent: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ body: b, headers: res.headers }));
      });
      req.on('error', reject);
      for (const p of parts) req.write(p);
      req.end();
    });
    expect(r.body).toBe(parts.join(''));
    expect(r.headers['transfer-encoding']).toBeUndefined(); // the echo answered with a length
    const chunked = await request(proxy.url, { path: '/chunked' });
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.body.toString()).toBe('part 0\npart 1\npart 2\npart 3\npart 4\ndone\n');
  });

  it('answers HEAD, 204 and 304 without a body and keeps the connection usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const head = await request(proxy.url, { method: 'HEAD', path: '/thing', agent });
    expect(head.status).toBe(200);
    expect(head.headers['x-echo-method']).toBe('HEAD');
    expect(head.body.length).toBe(0);
    const empty = await request(proxy.url, { path: '/no-content', agent });
    expect([empty.status, empty.headers['x-kind'], empty.body.length]).toEqual([204, 'empty', 0]);
    const cached = await request(proxy.url, { path: '/not-modified', agent, headers: { 'if-none-match': '"v1"' } });
    expect([cached.status, cached.headers.etag, cached.body.length]).toEqual([304, '"v1"', 0]);
    const after = await request(proxy.url, { path: '/after', agent });
    expect(after.status).toBe(200);
    agent.destroy();
  });

  it('passes cookies in and several set-cookie headers out', async () => {
    const r = await request(proxy.url, { path: '/x', headers: { cookie: 'session=abc; theme=dark' } });
    expect(echoed(r).headers.cookie).toBe('session=abc; theme=dark');
    const c = await request(proxy.url, { path: '/cookies' });
    expect(c.headers['set-cookie']).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/api', 'c=3; Max-Age=0']);
  });

  // Raw non-ASCII bytes in a request target are refused by node's parser (400) before any proxy code
  // runs, as by most servers; clients send them percent-encoded, which is what is checked here.
  // The path goes out in its canonical form (README, "Canonical request target"); the query as sent.
  it('forwards encoded, non-ASCII and odd paths canonical, and query strings untouched', async () => {
    for (const [target, forwarded] of [
      ['/p/%E2%82%AC/x%7Ey?q=%20&q=a+b&%41=%2f&empty&=&x[]=1', '/p/%E2%82%AC/x~y?q=%20&q=a+b&%41=%2f&empty&=&x[]=1'],
      ['//double//slash/?a=1', '/double/slash/?a=1'],
      ['/a/../b/./c', '/b/c'],
      ['/a%252e%252e/b', '/a%252e%252e/b'],
      ['/x?redirect=http://a/b?c=d#frag', '/x?redirect=http://a/b?c=d#frag'],
      ['/caf%C3%A9/%c3%bc?%E5%90%8D=%E5%80%A4', '/caf%C3%A9/%C3%BC?%E5%90%8D=%E5%80%A4'],
      ['/plain/path?x=%2e%2e', '/plain/path?x=%2e%2e'],
    ]) {
      const raw = await rawExchange(proxy.url, `GET ${target} HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n`);
      const url = /x-echo-url: (\S+)/i.exec(raw)?.[1];
      expect(url && Buffer.from(url, 'base64').toString('latin1')).toBe(forwarded);
    }
  });

  it("passes the client's Host through and appends x-forwarded-*", async () => {
    const r = await request(proxy.url, { path: '/h', headers: { host: 'shop.example:8080', 'x-forwarded-for': '203.0.113.9' } });
    const h = echoed(r).headers;
    expect(h.host).toBe('shop.example:8080');
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('shop.example:8080');
  });

  it('sends the configured Host instead when a backend sets one', async () => {
    const r = await request(hosted.url, { path: '/h', headers: { host: 'shop.example' } });
    expect(echoed(r).headers.host).toBe('legacy.internal');
    expect(echoed(r).headers['x-forwarded-host']).toBe('shop.example');
  });

  it('drops hop-by-hop headers both ways', async () => {
    const r = await request(proxy.url, { path: '/h', headers: { connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=3', te: 'gzip', 'proxy-authorization': 'Basic eA==', 'x-end': 'kept', 'x-strangler-shadow': '1' } });
    const h = echoed(r).headers;
    expect(h['x-strangler-shadow']).toBeUndefined(); // only the proxy marks mirrored calls
    expect(h['x-hop']).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h['x-end']).toBe('kept');
    const back = await request(proxy.url, { path: '/hop' });
    expect(back.headers['x-private']).toBeUndefined();
    expect(back.headers['keep-alive']).toBeUndefined();
    expect(back.body.toString()).toBe('hop');
  });

  it('answers Expect: 100-continue itself and forwards the body and (canonical) path intact', async () => {
    const raw = await rawExchange(proxy.url, 'POST //up//load?a=1 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(raw.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true);
    expect(raw.endsWith('hello')).toBe(true);
    const url = /x-echo-url: (\S+)/i.exec(raw)?.[1];
    expect(url && Buffer.from(url, 'base64').toString('latin1')).toBe('/up/load?a=1');
  });

  it('passes redirects through without following them', async () => {
    const r = await request(proxy.url, { path: '/redirect' });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('http://elsewhere.example/login?next=%2F');
  });

  it('streams a large body both ways with matching hashes', async () => {
    const size = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const hash = createHash('sha256');
    for (let i = 0; i < size / chunk.length; i++) hash.update(chunk);
    const expected = hash.digest('hex');
    const got = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${proxy.url}/big`, { method: 'POST', agent: false, headers: { 'content-length': size } }, (res) => {
        const h = createHash('sha256');
        res.on('data', (c) => h.update(c));
        res.on('end', () => resolve(h.digest('hex')));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(got).toBe(expected);
  });
});
