/**
 * The diff side end to end with real HTTP answers: two real upstreams (a PHP-like legacy and a new
 * service), pairs captured from them as the proxy captures them, the sink built from a config as the
 * proxy's start command builds it, records in a real JSONL file, then the CLI's report and show.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import YAML from 'yaml';
import { createDiffSinkFromConfig } from '../../../wiring/diffs.js';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { diffRules } from '../../../config/diff-schema.js';
import { loadConfig } from '../../../config/load.js';
import type { CapturedResponse } from '../../../proxy/shadow-contract.js';
import { startUpstream, type Upstream } from '../../support/http.js';

const USERS = 30;
let legacy: Upstream;
let next: Upstream;
let dir: string;
let configFile: string;

function user(id: number) {
  return { id, name: id === 3 ? 'Cy' : `user ${id}`, email: `User${id}@example.com`, tags: [] as string[] };
}

beforeAll(async () => {
  // Legacy (PHP-style): ids as strings, [] for an empty map, null fields, a fresh CSRF token every call.
  legacy = await startUpstream((req, res) => {
    const id = Number(/^\/api\/users\/(\d+)/.exec(req.url ?? '')?.[1]);
    const u = user(id);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ id: String(u.id), name: u.name, email: u.email, tags: [], prefs: [], bio: null, csrf: randomBytes(8).toString('hex') }));
  });
  // New: numbers, {} and no null field; user 3's name differs, user 4 is missing, user 5's email is lower-cased.
  next = await startUpstream((req, res) => {
    const id = Number(/^\/api\/users\/(\d+)/.exec(req.url ?? '')?.[1]);
    if (id === 4) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":"not found"}');
      return;
    }
    const u = user(id);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ id: u.id, name: id === 3 ? 'Cyd' : u.name, email: id === 5 ? u.email.toLowerCase() : u.email, tags: [], prefs: {}, csrf: randomBytes(8).toString('hex') }));
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-diffs-it-'));
  configFile = path.join(dir, 'strangler.yaml');
  writeFileSync(
    configFile,
    `proxy:
  admin: { token: "it-admin-token-0123456789" }
  backends: { legacy: { url: "${legacy.url}" }, new: { url: "${next.url}" } }
  routes:
    - name: users.get
      match: { method: GET, path: /api/users/:id }
      shadow: 100
  diffs: { path: ./out/diffs.jsonl, redact: [email, token] }
  shadow: { noiseSample: 10 }
`,
  );
});

afterAll(async () => {
  await legacy?.close();
  await next?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function capture(base: string, p: string, backend: 'legacy' | 'new'): Promise<CapturedResponse> {
  const started = performance.now();
  const res = await fetch(base + p, { headers: { 'x-strangler-shadow': backend === 'new' ? '1' : '0' } });
  const body = Buffer.from(await res.arrayBuffer());
  return { backend, status: res.status, headers: Object.fromEntries(res.headers), body, latencyMs: performance.now() - started };
}

async function cli(...args: string[]) {
  const io = bufferIo();
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('dual-read diffs with real upstreams', () => {
  let ids: Record<number, string>;

  test('the sink built from the config compares real pairs, learns noise, stores and counts', async () => {
    const registry = new Registry();
    const config = loadConfig(configFile);
    const sink = createDiffSinkFromConfig(config, { registry });
    for (let i = 1; i <= USERS; i++) {
      const p = `/api/users/${i}?token=secret-${i}`;
      const [primary, shadow] = await Promise.all([capture(legacy.url, p, 'legacy'), capture(next.url, p, 'new')]);
      // The noise sample: the first requests ask legacy a second time (as proxy.shadow.noiseSample does).
      const legacyAgain = i <= 2 ? await capture(legacy.url, p, 'legacy') : undefined;
      sink.accept({ time: new Date().toISOString(), route: 'users.get', method: 'GET', path: p, requestId: `req-${i}`, primary, shadow, ...(legacyAgain ? { legacyAgain } : {}) });
    }
    await sink.close();

    const file = path.join(dir, 'out', 'diffs.jsonl');
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    const records = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(USERS);
    ids = Object.fromEntries(records.map((r) => [Number(r.requestId.slice(4)), r.id]));
    // Redaction: no email address and no token value was written.
    expect(text).not.toMatch(/example\.com|secret-\d/);

    const byUser = (i: number) => records.find((r) => r.requestId === `req-${i}`);
    expect(byUser(1).noiseLearned).toEqual(['/csrf']);
    expect(byUser(3)).toMatchObject({ match: false, differences: expect.arrayContaining([{ path: '/name', kind: 'changed', legacy: 'Cy', new: 'Cyd' }]) });
    expect(byUser(4)).toMatchObject({ match: false, legacy: { status: 200 }, new: { status: 404 } });
    expect(byUser(4).differences[0]).toEqual({ path: '@status', kind: 'changed', legacy: 200, new: 404 });
    expect(byUser(5)).toMatchObject({ match: false, differences: expect.arrayContaining([{ path: '/email', kind: 'changed', legacy: '***', new: '***' }]) });
    expect(byUser(6)).toMatchObject({ match: true, normalised: { numericStrings: 1, emptyArrayObject: 1, nullMissing: 1 } });
    expect(byUser(6).differences).toEqual([expect.objectContaining({ path: '/csrf', noise: true })]);
    expect(byUser(6).path).toBe('/api/users/6?token=***');

    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string) => metrics.find((m) => m.name === name)?.values.find((v) => v.labels.route === 'users.get')?.value;
    expect([value('strangler_shadow_compared_total'), value('strangler_shadow_matched_total'), value('strangler_shadow_mismatched_total')]).toEqual([USERS, USERS - 3, 3]);
  });

  test('the report numbers match the records, and its verdict gates the exit code', async () => {
    const json = await cli('diffs', 'report', '-c', configFile, '--format', 'json', '--min-compared', '10', '--max-mismatch', '30');
    expect(json.code).toBe(0);
    const [route] = JSON.parse(json.out).routes;
    expect(route).toMatchObject({ route: 'users.get', compared: USERS, matched: USERS - 3, mismatched: 3, ready: true });
    expect(route.mismatchRate).toBeCloseTo(3 / USERS, 10);
    // Each top field's count is the number of records in which it is a real difference.
    const records = readFileSync(path.join(dir, 'out', 'diffs.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const counted = new Map<string, number>();
    for (const r of records) for (const d of r.differences) if (!d.noise) counted.set(d.path, (counted.get(d.path) ?? 0) + 1);
    expect(new Map(route.topFields.map((f: { path: string; count: number }) => [f.path, f.count]))).toEqual(counted);
    expect(route.topFields[0]).toMatchObject({ path: expect.any(String), count: expect.any(Number), kinds: expect.any(Object) });
    expect(counted.get('/name')).toBe(2); // user 3's name, and user 4's 404 body, which has none
    expect(counted.get('@status')).toBe(1);
    expect(route.noiseFields.map((f: { path: string }) => f.path)).toEqual(['/csrf']);
    expect(route.normalised.numericStrings).toBe(USERS - 1);
    expect(route.latencyMs.legacy.p50).toBeGreaterThan(0);
    expect(route.latencyMs.new.p95).toBeGreaterThan(0);
    // Stricter gates: the default 1% bound is not met (exit 1), and bad flags are exit 2.
    expect((await cli('diffs', 'report', '-c', configFile, '--min-compared', '10')).code).toBe(1);
    expect((await cli('diffs', 'report', '-c', configFile, '--max-mismatch', 'lots')).code).toBe(2);
  });

  test('the README examples run', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Dual-read diffs'), readme.indexOf('## Development'));
    const commands = [...section.matchAll(/^strangler (diffs .+)$/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const command of commands) {
      const args = command
        .split(/\s+/)
        .map((a) =>
          a === 'strangler.yaml' ? configFile : a === '.strangler/diffs.jsonl' ? path.join(dir, 'out', 'diffs.jsonl') : a === 'report.html' ? path.join(dir, 'report.html') : a === 'ID' ? ids[3]! : a,
        );
      const r = await cli(...args);
      // 30 pairs are fewer than the default --min-compared 100: reports say "not ready" (1); show succeeds (0).
      expect({ command, code: r.code }).toEqual({ command, code: args[1] === 'show' ? 0 : 1 });
      if (args[1] === 'show') expect(r.out).toMatch(/\/name {2}changed\s+│ "Cy"\s+│ "Cyd"/);
    }
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<td class="l">users.get</td>');
    // The rules example is a valid routes[].diff.
    const yamlBlock = /\*\*Rules per route\*\*[\s\S]*?```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const rules = diffRules.parse((YAML.parse(yamlBlock) as { diff: unknown }).diff);
    expect(rules).toMatchObject({ ignore: ['/lastSeen', '/friends/*/online'], arrayKeys: { '/friends': 'id' }, numberTolerance: 0.001 });
  });
});
