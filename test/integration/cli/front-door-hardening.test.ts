import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { PACKAGE_ROOT } from '../../../core/package-info.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { adminHeaders, proxyConfig, startTestProxy, type TestProxy } from '../proxy/setup.js';

/** The smaller holes of issue "the front door", point 4: each one as the user meets it. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-hardening-'));
const env = { STRANGLER_ADMIN_TOKEN: 'a-very-long-admin-token' };

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function cli(...argv: string[]) {
  const io = bufferIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const proxyYaml = (extra: string, token = '${STRANGLER_ADMIN_TOKEN}') => `proxy:
  admin: { token: "${token}" }
  backends:
    legacy: { url: http://127.0.0.1:8000 }
    new: { url: http://127.0.0.1:9000 }
${extra}`;

describe('config check', () => {
  test('a too-short admin token is refused without being printed', async () => {
    const r = await cli('config', 'check', '-c', file('short.yaml', proxyYaml('', 'hunter2-secret')));
    expect(r.code).toBe(2);
    expect(r.err).toContain('STRANGLER_E_CONFIG_VALUE');
    expect(r.err).toContain('14 character(s)');
    expect(r.err).not.toContain('hunter2');
  });

  test('a YAML alias bomb is bad input (exit 2, a code), not an internal error', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    const r = await cli('config', 'check', '-c', file('bomb.yaml', bomb));
    expect(r.code).toBe(2);
    expect(r.err).toContain('STRANGLER_E_CONFIG_SYNTAX');
    expect(r.err).not.toContain('INTERNAL');
  });

  test('a 10 MB config is refused at once with its own code, before it is parsed', async () => {
    const big = proxyYaml('  routes:\n') + '    - { name: r, match: { path: /r } }\n'.repeat(300_000);
    expect(big.length).toBeGreaterThan(10_000_000);
    const r = await cli('config', 'check', '-c', file('big.yaml', big));
    expect(r.code).toBe(2);
    expect(r.err).toContain('STRANGLER_E_CONFIG_TOO_LARGE');
  });

  test('a route an earlier one covers is a warning, an error with --strict', async () => {
    const f = file(
      'shadowed.yaml',
      proxyYaml(`  routes:
    - { name: users.get, match: { method: GET, path: /api/users/:id } }
    - { name: users.me, match: { method: GET, path: /api/users/me } }
    - { name: users.me.post, match: { method: POST, path: /api/users/me } }
    - { name: anything, match: { path: "/api/*" } }
    - { name: orders, match: { method: GET, path: /api/orders/:id } }
`),
    );
    const r = await cli('config', 'check', '-c', f);
    expect(r.code).toBe(0);
    expect(r.err.trim().split('\n')).toEqual([
      'warning: proxy.routes[1]: route "users.me" can never match: routes[0] "users.get" (GET /api/users/:id) matches every request it would, and the first match wins [STRANGLER_E_CONFIG_UNREACHABLE_ROUTE]',
      'warning: proxy.routes[4]: route "orders" can never match: routes[3] "anything" (* /api/*) matches every request it would, and the first match wins [STRANGLER_E_CONFIG_UNREACHABLE_ROUTE]',
    ]);
    const strict = await cli('config', 'check', '--strict', '-c', f);
    expect(strict.code).toBe(2);
    expect(strict.err).toContain('STRANGLER_E_CONFIG_UNREACHABLE_ROUTE');
  });

  test('an admin API beyond loopback is a warning, an error with --strict', async () => {
    const f = file('exposed.yaml', proxyYaml('').replace('admin: {', 'admin: { listen: "0.0.0.0:8081",'));
    const r = await cli('config', 'check', '-c', f);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: proxy.admin.listen: the admin API listens on 0.0.0.0, not on loopback');
    expect((await cli('config', 'check', '--strict', '-c', f)).code).toBe(2);
    expect((await cli('config', 'check', '--strict', '-c', file('loopback.yaml', proxyYaml('')))).code).toBe(0);
  });
});

describe('routes', () => {
  test('routes list --admin not-a-url is a usage error (exit 2)', async () => {
    const r = await cli('routes', 'list', '--admin', 'not-a-url');
    expect(r.code).toBe(2);
    expect(r.err).toContain('STRANGLER_E_USAGE');
  });
});

describe('who made a change', () => {
  let up: Upstream;
  let proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startTestProxy(proxyConfig(up.url, up.url, { routes: [{ name: 'r', match: { path: '/r' } }] }));
  });
  afterAll(async () => {
    await proxy?.stop(100);
    await up?.close();
  });

  test('a too-long x-strangler-actor or rollback "who" is refused and changes nothing', async () => {
    const long = 'x'.repeat(201);
    const patch = await fetch(`${proxy.admin}/routes/r`, { method: 'PATCH', headers: adminHeaders({ 'x-strangler-actor': long }), body: JSON.stringify({ new: 10 }) });
    expect([patch.status, ((await patch.json()) as { error: { code: string } }).error.code]).toEqual([400, 'STRANGLER_E_DIAL_INVALID']);
    const ok = await fetch(`${proxy.admin}/routes/r`, { method: 'PATCH', headers: adminHeaders({ 'x-strangler-actor': 'alice' }), body: JSON.stringify({ new: 10 }) });
    expect(ok.status).toBe(200);
    const rollback = await fetch(`${proxy.admin}/routes/r/rollback`, { method: 'POST', headers: adminHeaders(), body: JSON.stringify({ who: long }) });
    expect([rollback.status, ((await rollback.json()) as { error: { code: string } }).error.code]).toEqual([400, 'STRANGLER_E_DIAL_INVALID']);
    const history = (await (await fetch(`${proxy.admin}/routes/r/history`, { headers: adminHeaders() })).json()) as { changes: { who: string }[] };
    expect(history.changes.map((c) => c.who)).toEqual(['alice']);
  });
});

describe('missing Google credentials', () => {
  /** The real CLI in a child process with no emulator and no credentials anywhere it looks. */
  function run(...argv: string[]) {
    const { DATASTORE_EMULATOR_HOST: _e, GOOGLE_APPLICATION_CREDENTIALS: _g, NODE_OPTIONS: _n, ...rest } = process.env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PACKAGE_ROOT, 'cli/main.ts'), ...argv], {
      cwd: PACKAGE_ROOT,
      env: { ...rest, HOME: dir, METADATA_SERVER_DETECTION: 'none', CLOUDSDK_CONFIG: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, err: r.stderr };
  }
  const f = file(
    'google.yaml',
    `migrate:
  source: mysql://u:p@127.0.0.1:1/db
  target: { projectId: no-such-project }
  tables: { users: { kind: User } }
`,
  );

  test.each([['doctor'], ['migrate run']])('%s prints one line with a code and no stack trace', (cmd) => {
    const r = run(...cmd.split(' '), '-c', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\[STRANGLER_E_(DOCTOR_FAILED|DATASTORE_UNREACHABLE)\]/);
    expect(r.err).not.toMatch(/^\s+at /m);
    expect(r.err).not.toContain('triggerUncaughtException');
  }, 90_000);
});
