import fs from 'node:fs';
import net from 'node:net';
import { startUpstream, type Upstream } from '../../support/http.js';
import { parseRaw, spawnFrontDoor, type SpawnedProxy } from './front-door-setup.js';
import { request } from './setup.js';

/**
 * The public listener's timeouts and limits, against real proxy processes over raw sockets. Timeouts
 * are configured short so that the test is quick; what is asserted is behaviour (who was cut, with
 * what answer, never before its timeout; the normal client always served), not latency, so that it
 * holds on a busy machine.
 */
const HEADERS_MS = 1000;
const BODY_MS = 1000;
const REQUEST_MS = 3000;
const IDLE_MS = 1000;

let legacy: Upstream;
let next: Upstream;
let slow: SpawnedProxy;
let small: SpawnedProxy;
/** Requests the legacy backend is holding open until their body ends (the pool test). */
let held = 0;

beforeAll(async () => {
  legacy = await startUpstream((req, res) => {
    if (req.url === '/hold') held++;
    req.resume();
    req.on('end', () => res.end(`legacy ${req.url}`));
  });
  next = await startUpstream((req, res) => res.end(`new ${req.url}`));
  // One after the other: two tsx processes starting at once on a busy machine can take long.
  slow = await spawnFrontDoor(legacy.url, next.url, `  limits: { headersTimeoutMs: ${HEADERS_MS}, bodyTimeoutMs: ${BODY_MS}, requestTimeoutMs: ${REQUEST_MS}, idleTimeoutMs: ${IDLE_MS} }`);
  small = await spawnFrontDoor(legacy.url, next.url, '  limits: { maxConnections: 8 }', 'maxSockets: 2, poolWaitMs: 500');
}, 360_000);

afterAll(async () => {
  await slow?.stop();
  await small?.stop();
  await legacy?.close();
  await next?.close();
});

/** Resident set of a process now (VmRSS), in bytes. */
function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

interface Cut {
  /** Everything the proxy sent before it closed the connection. */
  answer: string;
  /** From the connection's open to its close by the proxy. */
  ms: number;
}

/**
 * A client that opens a connection, sends `first`, then one byte of `drip` every `everyMs` (none
 * when `drip` is empty) until the proxy closes the connection.
 */
function slowClient(url: string, first: string, drip: string, everyMs: number): Promise<Cut> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    let start = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      start = performance.now();
      socket.write(first);
      if (drip) timer = setInterval(() => socket.writable && socket.write(drip), everyMs);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a reset after the proxy's answer is still a cut
    socket.on('close', () => {
      clearInterval(timer);
      if (start === 0) return reject(new Error('the connection never opened'));
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), ms: performance.now() - start });
    });
  });
}

describe('public listener timeouts', () => {
  it('cuts 300 slow-header and slow-body connections at their timeouts while a normal client keeps being served', async () => {
    await request(slow.url, { path: '/warm' });
    const baseline = rss(slow.child.pid!);
    const headers = Array.from({ length: 150 }, () => slowClient(slow.url, 'GET /slow HTTP/1.1\r\nHost: a\r\n', 'x', 200));
    const trickle = Array.from({ length: 130 }, () => slowClient(slow.url, 'POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n', 'y', 200));
    const stalled = Array.from({ length: 20 }, () => slowClient(slow.url, 'POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nz', '', 0));
    let done = false;
    const all = Promise.all([Promise.all(headers), Promise.all(trickle), Promise.all(stalled)]).finally(() => (done = true));
    // The normal client: sequential requests on fresh connections for as long as the slow ones last.
    const answers: number[] = [];
    while (!done) {
      const r = await request(slow.url, { path: `/normal/${answers.length}` });
      answers.push(r.status);
      expect(r.body.toString()).toBe(`legacy /normal/${answers.length - 1}`);
    }
    const [h, t, s] = await all;
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((x) => x !== 200)).toEqual([]);
    const summary = (cuts: Cut[], timeoutMs: number) => ({
      answered408: cuts.filter((c) => parseRaw(c.answer).status === 408 && c.answer.includes('STRANGLER_E_PROXY_CLIENT_TIMEOUT')).length,
      // Never before the timeout (node's clock and ours may differ by a millisecond or two).
      early: cuts.filter((c) => c.ms < timeoutMs - 20).map((c) => Math.round(c.ms)),
    });
    expect(summary(h, HEADERS_MS)).toEqual({ answered408: 150, early: [] });
    expect(summary(t, REQUEST_MS)).toEqual({ answered408: 130, early: [] });
    expect(summary(s, BODY_MS)).toEqual({ answered408: 20, early: [] });
    // Loosely: 300 connections' buffers are gone once they are closed.
    expect(rss(slow.child.pid!) - baseline).toBeLessThan(64 * 1024 * 1024);
  }, 240_000);

  it('closes a connection that sends nothing at the header timeout, and an idle keep-alive one at the idle timeout', async () => {
    const silent = await slowClient(slow.url, '', '', 0);
    expect(silent.ms).toBeGreaterThanOrEqual(HEADERS_MS - 20);
    const idle = await slowClient(slow.url, 'GET /once HTTP/1.1\r\nHost: a\r\n\r\n', '', 0);
    expect(parseRaw(idle.answer)).toMatchObject({ status: 200, body: 'legacy /once' });
    expect(idle.ms).toBeGreaterThanOrEqual(IDLE_MS - 20);
  }, 120_000);
});

describe('public listener limits', () => {
  it('closes connections beyond maxConnections at once, and takes new ones when some close', async () => {
    const open = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(Number(new URL(small.url).port), '127.0.0.1', () => resolve(s));
            s.on('error', () => undefined);
          }),
      ),
    );
    // Until the proxy has accepted all eight, a ninth may still get in: wait for its refusal.
    await small.until('the ninth connection is refused', async () => {
      const extra = await slowClient(small.url, 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n', '', 0);
      return extra.answer === '';
    }, 60_000);
    for (const s of open) s.destroy();
    await small.until('a connection is served again', async () => (await request(small.url, { path: '/again' })).status === 200, 60_000);
  }, 120_000);

  it('answers 503 with Retry-After when the backend pool stays full for poolWaitMs, and serves again once it frees', async () => {
    held = 0;
    // Two uploads that never end hold both of the backend's maxSockets: 2 connections.
    const uploads = [0, 1].map(() => {
      const s = net.connect(Number(new URL(small.url).port), '127.0.0.1');
      s.on('error', () => undefined);
      s.write('POST /hold HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab');
      return s;
    });
    await small.until('both uploads reach the backend', () => held === 2, 60_000);
    const r = await request(small.url, { path: '/fast' });
    expect([r.status, r.headers['retry-after'], r.headers['x-strangler-error']]).toEqual([503, '1', 'STRANGLER_E_PROXY_POOL_FULL']);
    for (const s of uploads) s.end('cdefghij');
    await small.until('the pool frees', async () => (await request(small.url, { path: '/fast' })).status === 200, 60_000);
  }, 120_000);
});
