import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Datastore } from '@google-cloud/datastore';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { loadConfig, requireSection } from '../../../config/load.js';
import { buildRecord } from '../../../diffs/record.js';
import { toStoredLine } from '../../../diffs/stored-line.js';
import { zeroCounts } from '../../../diffs/types.js';
import { createDatastoreCheckpointStore } from '../../../migrators/checkpoint/datastore.js';
import type { Checkpoint, VerifyMark } from '../../../migrators/checkpoint/contract.js';
import { startProxy, type RunningProxy } from '../../../proxy/runtime.js';
import { MemoryStateStore } from '../../../proxy/state/memory-store.js';
import { consoleSources } from '../../../wiring/console-sources.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { testNamespace, TEST_PROJECT } from '../../support/services.js';
import { pair } from '../../unit/diffs/helpers.js';
import { adminHeaders, json, request, TOKEN } from './setup.js';

/**
 * The readiness gate as a running proxy judges it (GET /readiness): the diff records it reads, the
 * verify marks and catch-up lag in the checkpoint store (the emulator), and the latency of its live
 * traffic, which can fail a route whose shadow pairs pass; and `strangler ready` says the same.
 */
let dir: string;
let legacy: Upstream;
let next: Upstream;
let proxy: RunningProxy;
let closeSources: () => Promise<void>;
let configFile: string;
let admin: string;

function line(i: number, route: string): string {
  const r = buildRecord(`${route}-${i}`, { ...pair(route, {}, {}), time: new Date().toISOString() }, { differences: [], normalised: zeroCounts() });
  return toStoredLine({ ...r, legacy: { ...r.legacy, latencyMs: 12 }, new: { ...r.new, latencyMs: 15 } }, []);
}

function checkpoint(table: string, watermark: string): Checkpoint {
  const now = new Date().toISOString();
  return { id: `${table}#0/1`, table, kind: table, shard: '0/1', range: { start: null, end: null } as never, lastKey: null, rowsCopied: 10, rowsTotal: 10, deadLetters: 0, retries: 0, watermark, startedAt: now, updatedAt: now, rate: 100, done: true };
}

function mark(table: string, clean: boolean): VerifyMark {
  return { table, kind: table, at: new Date().toISOString(), clean, rows: 10, entities: clean ? 10 : 9, missing: clean ? 0 : 1, extra: 0, fieldDiffs: 0, ms: 5 };
}

/** MySQL's clock text for `secondsAgo` before now (UTC). */
const mysqlTime = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString().replace('T', ' ').replace('Z', '');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-readiness-'));
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  // New answers orders slowly: its shadow pairs (written below) say 15 ms, its live traffic does not.
  next = await startUpstream((req, res) => (req.url?.startsWith('/api/orders') ? void setTimeout(() => res.end('new'), 700) : res.end('new')));
  const namespace = testNamespace('ready');
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) lines.push(line(i, 'users.get'), line(i, 'orders.get'), line(i, 'carts.get'));
  writeFileSync(path.join(dir, 'diffs.jsonl'), lines.join('\n') + '\n');
  configFile = path.join(dir, 'strangler.yaml');
  writeFileSync(
    configFile,
    [
      'proxy:',
      `  admin: { token: "${TOKEN}" }`,
      `  backends: { legacy: { url: "${legacy.url}" }, new: { url: "${next.url}" } }`,
      `  diffs: { store: file, path: ${path.join(dir, 'diffs.jsonl')} }`,
      '  routes:',
      '    - { name: users.get, match: { path: /api/users/:id }, tables: [users] }',
      '    - { name: orders.get, match: { path: /api/orders/:id }, new: 100, tables: [users] }',
      '    - { name: carts.get, match: { path: /api/carts/:id }, tables: [carts, orders] }',
      'migrate:',
      '  source: mysql://root@127.0.0.1:1/none',
      `  target: { projectId: ${TEST_PROJECT}, namespace: ${namespace} }`,
      '  tables: { users: { kind: User }, carts: { kind: Cart }, orders: { kind: Order } }',
    ].join('\n'),
  );
  const store = createDatastoreCheckpointStore(new Datastore({ projectId: TEST_PROJECT, namespace }));
  // users: copied a minute ago, verified clean; carts: verified, not clean; orders: clean but 20 min behind (its last sync).
  await store.put(checkpoint('users', mysqlTime(60)));
  await store.put(checkpoint('carts', mysqlTime(60)));
  await store.put(checkpoint('orders', mysqlTime(3600)));
  await store.putSyncMark({ table: 'orders', watermark: mysqlTime(1200), at: new Date().toISOString() });
  await Promise.all([store.putVerifyMark(mark('users', true)), store.putVerifyMark(mark('carts', false)), store.putVerifyMark(mark('orders', true))]);

  const config = loadConfig(configFile, {});
  const sources = consoleSources(config);
  closeSources = sources.close;
  proxy = await startProxy({ config: requireSection(config, 'proxy'), store: new MemoryStateStore(), console: sources.sources });
  admin = `http://127.0.0.1:${proxy.adminAddress.port}`;
  // Live traffic on orders.get, all on new: 60 answers of ~700 ms.
  const url = `http://127.0.0.1:${proxy.address.port}`;
  for (let round = 0; round < 6; round++) await Promise.all(Array.from({ length: 10 }, (_, i) => request(url, { path: `/api/orders/${round * 10 + i}`, headers: { 'x-user-id': `u${i}` } })));
}, 120_000);

afterAll(async () => {
  await proxy?.stop(100);
  await closeSources?.();
  await legacy?.close();
  await next?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Verdict = { route: string; ready: boolean; criteria: { name: string; ok: boolean; figure: string }[] };
const criteria = (v: Verdict) => Object.fromEntries(v.criteria.map((c) => [c.name, c.ok]));

describe('GET /readiness on the admin API', () => {
  it('judges every route by its records, its live latency and the checkpoint store', async () => {
    const body = await json(fetch(`${admin}/readiness`, { headers: adminHeaders() }));
    expect(body.ready).toBe(false);
    const by = new Map((body.routes as Verdict[]).map((v) => [v.route, v]));
    expect(criteria(by.get('users.get')!)).toEqual({ responses: true, latency: true, errors: true, data: true });
    expect(by.get('users.get')!.criteria[3]!.figure).toMatch(new RegExp(`^from the checkpoint store in ${TEST_PROJECT}; users clean 0 min ago, \\d+ s behind \\(backfill\\)`));
    // Fast shadow pairs, slow live answers: the live traffic fails it.
    const orders = by.get('orders.get')!;
    expect(criteria(orders)).toEqual({ responses: true, latency: false, errors: true, data: true });
    expect(orders.criteria[1]!.figure).toMatch(/^shadow pairs: new p95 15 ms .*; live, 60 answers of new since the proxy started: new p95 \d+ ms \(≤ 500 ms budget; no legacy answers to compare\)$/);
    const carts = by.get('carts.get')!;
    expect(criteria(carts)).toEqual({ responses: true, latency: true, errors: true, data: false });
    expect(carts.criteria[3]!.figure).toMatch(/carts not clean \(1 missing, 0 extra, 0 field diffs\); orders 1[23]\d\d s behind MySQL by sync \(≤ 300 s\)/);
  });

  it('GET /routes/:name/readiness gives one route, the JSON of strangler ready --json, which --admin asks for', async () => {
    const one = await json(fetch(`${admin}/routes/users.get/readiness`, { headers: adminHeaders() }));
    expect(one).toMatchObject({ ready: true, routes: [{ route: 'users.get', ready: true }] });
    const viaAdmin = bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN });
    expect(await runCli(['ready', 'users.get', '--admin', admin, '--json'], viaAdmin)).toBe(0);
    // The lag grows by the second between two reads: compared without it.
    const steady = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/\d+ s behind/g, 'N s behind'));
    expect(steady(JSON.parse(viaAdmin.out()))).toEqual(steady(one));
    // From the config, without the proxy: the same verdict (its records and its checkpoint store).
    const fromConfig = bufferIo({ DATASTORE_EMULATOR_HOST: process.env.DATASTORE_EMULATOR_HOST });
    expect(await runCli(['ready', 'users.get', '-c', configFile, '--json'], fromConfig)).toBe(0);
    expect(steady(JSON.parse(fromConfig.out()))).toEqual(steady(one));
    // A larger --max-lag lets carts' orders table pass on lag (carts stays not clean).
    const lagged = bufferIo({});
    expect(await runCli(['ready', 'carts.get', '-c', configFile, '--max-lag', '1h'], lagged)).toBe(1);
    expect(lagged.out()).toMatch(/✗ data +from the checkpoint store in strangler-test; carts not clean \(1 missing, 0 extra, 0 field diffs\)\n/);
  });

  it('an unknown route is a 404 with its code', async () => {
    const res = await fetch(`${admin}/routes/nope/readiness`, { headers: adminHeaders() });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STRANGLER_E_ROUTE_UNKNOWN');
  });
});
