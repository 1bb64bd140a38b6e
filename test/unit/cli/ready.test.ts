import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { buildRecord } from '../../../diffs/record.js';
import { toStoredLine } from '../../../diffs/stored-line.js';
import { zeroCounts } from '../../../diffs/types.js';
import { pair } from '../diffs/helpers.js';

let dir: string;
let config: string;
let verify: string;

/** A stored pair of a route with both sides' times and statuses set. */
function line(i: number, route: string, legacyMs: number, newMs: number, newStatus = 200): string {
  const r = buildRecord(`${route}-${i}`, { ...pair(route, {}, {}), time: new Date().toISOString() }, { differences: [], normalised: zeroCounts() });
  return toStoredLine({ ...r, legacy: { ...r.legacy, latencyMs: legacyMs }, new: { ...r.new, latencyMs: newMs, status: newStatus } }, []);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-ready-'));
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    lines.push(line(i, 'users.get', 12, 14)); // fast and clean: ready
    lines.push(line(i, 'activities.get', 12, 1300)); // right answers, 100× slower: not ready
    lines.push(line(i, 'chats.get', 20, 22, i % 10 === 0 ? 503 : 200)); // fails 10%: not ready
  }
  writeFileSync(path.join(dir, 'diffs.jsonl'), lines.join('\n') + '\n');
  config = path.join(dir, 'strangler.yaml');
  writeFileSync(
    config,
    [
      'proxy:',
      '  admin: { token: "0123456789abcdef0123" }',
      '  backends: { legacy: { url: "http://127.0.0.1:8000" }, new: { url: "http://127.0.0.1:9000" } }',
      `  diffs: { path: ${path.join(dir, 'diffs.jsonl')} }`,
      '  routes:',
      '    - { name: users.get, match: { path: /api/users/:id }, shadow: 100, tables: [users] }',
      '    - { name: activities.get, match: { path: /api/activities/:id }, shadow: 100, slo: { p95Ms: 500, vsLegacy: 2 } }',
      '    - { name: chats.get, match: { path: /api/chats/:id }, shadow: 100 }',
    ].join('\n'),
  );
  verify = path.join(dir, 'verify.json');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ready(args: string[]) {
  const io = bufferIo({});
  const code = await runCli(['ready', '-c', config, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('strangler ready', () => {
  it('passes a fast, clean route with a clean, recent verify of its tables', async () => {
    writeFileSync(verify, JSON.stringify({ at: new Date().toISOString(), clean: true, tables: [{ table: 'users', clean: true }] }));
    const r = await ready(['users.get', '--verify-report', verify]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('users.get: READY');
    expect(r.out).toMatch(/✓ responses +500 pair\(s\) compared/);
    expect(r.out).toContain('✓ latency   shadow pairs: new p95 14 ms (≤ 500 ms budget and ≤ 1.25× legacy\'s 12 ms)');
    expect(r.out).toMatch(/✓ errors +new failed 0 of 500/);
    expect(r.out).toMatch(/✓ data +from .*verify\.json; users clean 0 min ago \(verify ≤ 1440 min old, lag ≤ 300 s\)/);
  });

  it('fails a route whose answers match but whose latency users would notice, and one that fails more than legacy', async () => {
    const r = await ready(['--json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('STRANGLER_E_NOT_READY');
    const out = JSON.parse(r.out);
    expect(out.ready).toBe(false);
    const by = Object.fromEntries(out.routes.map((v: { route: string; criteria: { name: string; ok: boolean }[] }) => [v.route, Object.fromEntries(v.criteria.map((c) => [c.name, c.ok]))]));
    expect(by['activities.get']).toEqual({ responses: true, latency: false, errors: true });
    expect(by['chats.get']).toEqual({ responses: true, latency: true, errors: false });
    // users.get names a table and no verify report was given.
    expect(by['users.get']).toEqual({ responses: true, latency: true, errors: true, data: false });
  });

  it('refuses an old or dirty verify for the data criterion, and a file that is no verify report', async () => {
    writeFileSync(verify, JSON.stringify({ at: new Date(Date.now() - 3 * 86_400_000).toISOString(), clean: true, tables: [{ table: 'users', clean: true }] }));
    expect((await ready(['users.get', '--verify-report', verify])).out).toMatch(/✗ data +from .*verify\.json; users verified 4320 min ago \(≤ 1440 min\)/);
    writeFileSync(verify, JSON.stringify({ at: new Date().toISOString(), clean: false, tables: [{ table: 'users', clean: false }] }));
    expect((await ready(['users.get', '--verify-report', verify])).out).toContain('users not clean');
    writeFileSync(verify, '{"nope":1}');
    const bad = await ready(['users.get', '--verify-report', verify]);
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('STRANGLER_E_READY_VERIFY_REPORT')]);
  });

  it('gives the same verdict in diffs report --gate', async () => {
    const io = bufferIo({});
    const code = await runCli(['diffs', 'report', '-c', config, '--gate', '--route', 'activities.get'], io);
    expect(code).toBe(1);
    expect(io.out()).toContain("activities.get: not ready (latency: shadow pairs: new p95 1300 ms (≤ 500 ms budget and ≤ 2× legacy's 12 ms))");
    const plain = bufferIo({});
    expect(await runCli(['diffs', 'report', '-c', config, '--route', 'activities.get'], plain)).toBe(0);
  });
});
