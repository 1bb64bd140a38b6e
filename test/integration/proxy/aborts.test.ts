import http from 'node:http';
import type net from 'node:net';
import { Worker } from 'node:worker_threads';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, startTestProxy, type TestProxy } from './setup.js';

// A real collection before each heap reading, without starting node with --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let legacy: Upstream;
let proxy: TestProxy;
let upstreamOpen = 0;

beforeAll(async () => {
  legacy = await startUpstream((_req, res) => {
    // Starts an endless answer: only the proxy giving up the request ends it.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(1024, 1));
  });
  legacy.server.on('connection', (s: net.Socket) => {
    upstreamOpen++;
    s.on('close', () => upstreamOpen--);
  });
  proxy = await startTestProxy(proxyConfig(legacy.url, legacy.url));
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
});

// The clients run in a worker thread (plain JS, bare sockets: the cheapest client that reads the first
// bytes of an answer and leaves), so that they do not take turns with the proxy on one event loop.
const CLIENT = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { port, n, concurrency } = workerData;
let left = n;
const one = () => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => s.write('GET /stream HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n'));
  s.once('data', () => { s.destroy(); resolve(); });
  s.on('error', () => resolve());
});
const worker = async () => { while (left-- > 0) await one(); };
Promise.all(Array.from({ length: concurrency }, worker)).then(() => parentPort.postMessage('done'));
`;

/** n requests, `concurrency` at a time, each aborted by its client after the first bytes arrive. */
function abortMany(n: number, concurrency = 16): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(CLIENT, { eval: true, workerData: { port: proxy.address.port, n, concurrency } });
    w.once('message', () => void w.terminate().then(() => resolve()));
    w.once('error', reject);
  });
}

/** Polls a state until it holds; the deadline only ends a wait that will never succeed, inside the test's timeout. */
async function settle(probe: () => boolean, ms = 60_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return probe();
}

describe('client aborts', () => {
  it('10,000 aborts mid-response free every upstream socket and leave the heap flat', async () => {
    await abortMany(300);
    expect(await settle(() => upstreamOpen === 0)).toBe(true);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;

    await abortMany(10_000);
    // Every aborted client freed its upstream socket: none stays open behind the proxy.
    expect(await settle(() => upstreamOpen === 0)).toBe(true);
    gc();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    expect(growth).toBeLessThan(8 * 1024 * 1024);

    const metrics = await proxy.proxy.metrics.text();
    const aborts = Number(/strangler_proxy_client_aborts_total\{route="\(unmatched\)"\} (\d+)/.exec(metrics)?.[1]);
    expect(aborts).toBeGreaterThanOrEqual(10_300);
    expect(await settle(() => proxy.connections() === 0)).toBe(true);
    // And the proxy still serves.
    const ok = await new Promise<number>((resolve) => http.get(`${proxy.url}/x`, { agent: false }, (res) => (res.destroy(), resolve(res.statusCode ?? 0))));
    expect(ok).toBe(200);
    // A bound for a hang only: 10,300 aborted requests take minutes on a machine busy with other work.
  }, 600_000);
});
