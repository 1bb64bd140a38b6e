import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { buildRecord } from '../../../diffs/record.js';
import { toStoredLine } from '../../../diffs/stored-line.js';
import { zeroCounts, type Difference } from '../../../diffs/types.js';
import { parseWellFormed, tableRows } from './html-check.js';
import { pair } from './helpers.js';

let dir: string;
let file: string;
let config: string;

function line(id: string, route: string, differences: Difference[], time = new Date().toISOString()): string {
  const r = buildRecord(id, { ...pair(route, {}, {}), time }, { differences, normalised: zeroCounts() });
  return toStoredLine(r, []);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-diffs-cli-'));
  file = path.join(dir, 'data', 'diffs.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(line(`ok-${i}`, 'users.get', []));
  lines.push(line('bad-1', 'users.get', [{ path: '/name', kind: 'changed', legacy: 'Ann', new: 'Anne' }]));
  for (let i = 0; i < 20; i++) lines.push(line(`feed-${i}`, 'feed.list', [{ path: '/items/0/ts', kind: 'changed', legacy: 1, new: 2 }]));
  lines.push(line('old-1', 'old.route', [], '2020-01-01T00:00:00.000Z'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
  config = path.join(dir, 'strangler.yaml');
  writeFileSync(
    config,
    [
      'proxy:',
      '  admin: { token: "0123456789abcdef0123" }',
      '  backends: { legacy: { url: "http://127.0.0.1:8000" }, new: { url: "http://127.0.0.1:9000" } }',
      '  routes:',
      '    - { name: users.get, match: { path: /api/users/:id }, shadow: 100 }',
      '    - { name: chat.get, match: { path: /api/chat/:id }, shadow: 10 }',
      '  diffs: { path: ./data/diffs.jsonl }',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = bufferIo();
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('strangler diffs report', () => {
  test('exit 0 when every selected route is ready', async () => {
    const r = await run('diffs', 'report', '--file', file, '--route', 'users.get', '--max-mismatch', '2');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/users\.get\s+401\s+400\s+0\.25%/);
    expect(r.out).toContain('/name  (changed 1)');
  });

  test('exit 1 when a route is not ready, naming it', async () => {
    const r = await run('diffs', 'report', '--file', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/3 of 3 route\(s\) not ready: feed\.list \(compared 20 < 100; .*old\.route .*\[STRANGLER_E_DIFFS_NOT_READY\]/);
    // 1 mismatch in 401: 0.25%, but the 95% upper bound is 1.40%, above the default 1%.
    const strict = await run('diffs', 'report', '--file', file, '--route', 'users.get');
    expect(strict.code).toBe(1);
    expect(strict.err).toContain('users.get (mismatch upper bound 1.40% > 1%)');
  });

  test('--since leaves old records out; -c reads the config\'s file and adds its shadowed routes', async () => {
    const since = await run('diffs', 'report', '--file', file, '--since', '1h', '--format', 'json');
    expect(JSON.parse(since.out).routes.map((r: { route: string }) => r.route)).toEqual(['feed.list', 'users.get']);
    const byConfig = await run('diffs', 'report', '-c', config, '--since', '2d', '--format', 'json');
    const report = JSON.parse(byConfig.out);
    expect(report.routes.map((r: { route: string; compared: number }) => [r.route, r.compared])).toEqual([['chat.get', 0], ['feed.list', 20], ['users.get', 401]]);
    expect(byConfig.code).toBe(1);
  });

  test('--format html -o writes one self-contained page with every route', async () => {
    const out = path.join(dir, 'report.html');
    const r = await run('diffs', 'report', '--file', file, '--format', 'html', '-o', out, '--min-compared', '10');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`wrote html report to ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(parseWellFormed(html)).toEqual({ ok: true });
    expect(tableRows(html, 'summary').map((row) => row[0])).toEqual(['feed.list', 'old.route', 'users.get']);
  });

  test('a config whose proxy has written nothing yet: its shadowed routes are not ready (exit 1)', async () => {
    const empty = path.join(dir, 'empty.yaml');
    writeFileSync(empty, readFileSync(config, 'utf8').replace('./data/diffs.jsonl', './none/diffs.jsonl'));
    const r = await run('diffs', 'report', '-c', empty);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no diff records at');
    expect(r.out).toMatch(/chat\.get\s+0\s+0/);
    const memory = path.join(dir, 'memory.yaml');
    writeFileSync(memory, readFileSync(config, 'utf8').replace('diffs: { path: ./data/diffs.jsonl }', 'diffs: { store: memory }'));
    const m = await run('diffs', 'report', '-c', memory);
    expect(m.code).toBe(2);
    expect(m.err).toContain('[STRANGLER_E_DIFFS_FILE]');
  });

  test('bad flags exit 2 and change nothing', async () => {
    for (const args of [
      ['diffs', 'report'],
      ['diffs', 'report', '--file', file, '--format', 'xml'],
      ['diffs', 'report', '--file', file, '--since', 'last week'],
      ['diffs', 'report', '--file', file, '--max-mismatch', '150'],
      ['diffs', 'report', '--file', file, '--min-compared', '-3'],
      ['diffs', 'report', '--file', path.join(dir, 'nope.jsonl')],
      ['diffs', 'report', '-c', path.join(dir, 'nope.yaml')],
    ]) {
      const r = await run(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')[0]).toMatch(/^strangler: .*\[STRANGLER_E_[A-Z_]+\]$/);
    }
  });

  test('an unwritable -o is a runtime failure (exit 1) with its own code', async () => {
    const r = await run('diffs', 'report', '--file', file, '--route', 'users.get', '--format', 'json', '-o', path.join(dir, 'no-such-dir', 'r.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('[STRANGLER_E_DIFFS_OUTPUT]');
  });
});

describe('diffs show of an HTML pair', () => {
  test('every difference on its own row, a long value cut around the part that differs', async () => {
    const long = 'Paragraph text of a post. '.repeat(6);
    const htmlFile = path.join(dir, 'html.jsonl');
    writeFileSync(htmlFile, line('html-1', 'page.get', [{ path: 'html>body>p[1]/#text', kind: 'changed', legacy: `${long}Thanks for reading`, new: `${long}Thanks for visiting` }, { path: 'html>body>p[2]/#text', kind: 'changed', legacy: 'second', new: 'Second' }]) + '\n');
    const r = await run('diffs', 'show', '--file', htmlFile, 'html-1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/html>body>p\[1\]\/#text {2}changed\s+│ …[^│]*reading"\s+│ …[^│]*visiting"\n/);
    expect(r.out).toMatch(/html>body>p\[2\]\/#text {2}changed\s+│ "second"\s+│ "Second"/);
  });
});

describe('read-only diff commands without the admin token', () => {
  test('diffs report -c and diffs show -c read a config whose token variable is unset; other commands still need it', async () => {
    const noToken = path.join(dir, 'no-token.yaml');
    writeFileSync(noToken, readFileSync(config, 'utf8').replace('"0123456789abcdef0123"', '${STRANGLER_TEST_UNSET_TOKEN}'));
    const report = await run('diffs', 'report', '-c', noToken, '--since', '2d', '--route', 'users.get', '--max-mismatch', '2');
    expect(report.err).toBe('');
    expect(report.code).toBe(0);
    const show = await run('diffs', 'show', '-c', noToken, 'bad-1');
    expect(show.code).toBe(0);
    expect(show.out).toContain('/name');
    const check = await run('config', 'check', '-c', noToken);
    expect(check.code).toBe(2);
    expect(check.err).toContain('STRANGLER_TEST_UNSET_TOKEN');
  });
});

describe('strangler diffs show', () => {
  test('prints one pair side by side', async () => {
    const r = await run('diffs', 'show', 'bad-1', '-c', config);
    expect(r.code).toBe(0);
    expect(r.out).toContain('users.get');
    expect(r.out).toMatch(/\/name {2}changed\s+│ "Ann"\s+│ "Anne"/);
    const json = await run('diffs', 'show', 'bad-1', '--file', file, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ id: 'bad-1', differences: [{ path: '/name' }] });
  });

  test('an unknown id exits 2', async () => {
    const r = await run('diffs', 'show', 'nope', '--file', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('[STRANGLER_E_DIFFS_RECORD_NOT_FOUND]');
  });
});
