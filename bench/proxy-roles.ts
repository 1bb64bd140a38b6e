/**
 * The processes bench/proxy.ts measures, each started as its own node process so that the proxy
 * under test does not share an event loop with the backend or the load generator.
 *   backend            a small JSON answer, the same for every request
 *   bare <backendUrl>  http-proxy pass-through with a keep-alive agent: the baseline
 *   slow-backend       the same answer after 10 s
 *   strangler <backendUrl> [shadow%] [shadowUrl]  strangler with 50 routes, dials and metrics on;
 *                      with shadow% > 0 the benchmarked route mirrors to shadowUrl (the "new" backend)
 *                      and the pairs go to the real diff sink, wired as `proxy start` wires it
 *                      (records to a JSONL file in a temporary directory, counters on /metrics):
 *                      in the shadow worker thread, or with a 5th argument "inline" in the proxy's
 *                      own event loop (the design before the worker, kept for comparison)
 * With STRANGLER_BENCH_GUARD=1 (bench/proxy.ts --guard) every strangler route has a guard, so every
 * answer of the new service is also recorded in its route's guard window (thresholds no run reaches).
 * Each prints "ready <port>" once it listens (a strangler: "ready <port> <adminPort>"; its admin token
 * is bench-admin-token-0123456789).
 */
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import httpProxy from 'http-proxy';
import { consoleSources } from '../wiring/console-sources.js';
import { createDiffSinkFromConfig } from '../wiring/diffs.js';
import { SHADOW_WORKER_ENTRY } from '../wiring/proxy.js';
import { parseConfig } from '../config/load.js';
import { createDiffMetrics } from '../diffs/metrics.js';
import { ProxyMetrics } from '../proxy/metrics.js';
import { startProxy } from '../proxy/runtime.js';
import { MemoryStateStore } from '../proxy/state/memory-store.js';
import { RedisStateStore } from '../proxy/state/redis-store.js';

const [role, target, shadowPct, shadowUrl, shadowMode] = process.argv.slice(2);
// A normal exit on SIGINT, so that --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));
const BODY = JSON.stringify({ id: 42, name: 'Ada Lovelace', email: 'ada@example.com', tags: ['math', 'engines'], friends: 128, online: true });

function ready(server: http.Server | { port: number; admin: number }): void {
  const port = 'port' in server ? `${server.port} ${server.admin}` : (server.address() as net.AddressInfo).port;
  process.stdout.write(`ready ${port}\n`);
}

if (role === 'backend' || role === 'slow-backend') {
  const delay = role === 'slow-backend' ? 10_000 : 0;
  const server = http.createServer((req, res) => {
    req.resume();
    const send = () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
    if (delay) setTimeout(send, delay).unref();
    else send();
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => ready(server));
} else if (role === 'bare') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  // Its cheapest idiomatic form: options fixed at creation, no per-call options, one error listener.
  const proxy = httpProxy.createProxyServer({ target, agent });
  proxy.on('error', (_err, _req, res) => {
    const r = res as http.ServerResponse;
    if (!r.headersSent) r.statusCode = 502;
    r.end();
  });
  const server = http.createServer((req, res) => proxy.web(req, res));
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => ready(server));
} else if (role === 'strangler') {
  // 50 routes; the benchmarked one is near the end of the table, with a live canary dial (50%, sticky
  // on x-user-id) so that every request pays for matching, bucketing and counting.
  const routes = Array.from({ length: 50 }, (_, i) => ({
    name: `route.${i}`,
    match: { method: i % 3 === 0 ? ['GET', 'HEAD'] : 'GET', path: i === 42 ? '/api/users/:id' : `/api/r${i}/:id/items` },
    // With a shadow backend, legacy serves the user and the other backend only gets the mirror.
    new: i === 42 ? (shadowUrl ? 0 : 50) : i % 5,
    shadow: i === 42 ? Number(shadowPct ?? 0) : 0,
    ...(process.env.STRANGLER_BENCH_GUARD === '1' && { guard: { maxErrorRate: 100, maxP95Ms: 60_000, window: '10s', minRequests: 20 } }),
  }));
  const doc = {
    proxy: {
      listen: '127.0.0.1:0',
      admin: { listen: '127.0.0.1:0', token: 'bench-admin-token-0123456789' },
      backends: { legacy: { url: target }, new: { url: shadowUrl ?? target } },
      stickiness: { header: 'x-user-id', cookie: 'session' },
      routes,
      state: { store: 'memory' },
      diffs: { store: 'file', path: path.join(process.env.STRANGLER_BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-bench-diffs-')), 'diffs.jsonl') },
    },
  };
  const config = parseConfig(JSON.stringify(doc), 'bench.json', {});
  const metrics = new ProxyMetrics();
  const shadowing = Number(shadowPct ?? 0) > 0;
  const shadowSink = shadowing && shadowMode === 'inline' ? createDiffSinkFromConfig(config, { registry: metrics.registry }) : undefined;
  if (shadowing && !shadowSink) createDiffMetrics(metrics.registry);
  const shadowWorker = shadowing && !shadowSink ? { entry: SHADOW_WORKER_ENTRY, data: config } : undefined;
  // STRANGLER_BENCH_REDIS_URL (bench/proxy.ts --redis): the dials in a Redis state store, as replicas
  // run; the request path still reads them from memory only.
  const redisUrl = process.env.STRANGLER_BENCH_REDIS_URL;
  const store = redisUrl ? new RedisStateStore({ url: redisUrl, key: `bench-${process.pid}` }) : new MemoryStateStore();
  // The web console reads what `proxy start` gives it (the diff file here; no migrate section).
  const running = await startProxy({ config: config.proxy!, store, metrics, shadowSink, shadowWorker, console: consoleSources(config).sources });
  ready({ port: running.address.port, admin: running.adminAddress.port });
} else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
