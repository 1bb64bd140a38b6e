import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { PACKAGE_ROOT } from '../../../core/package-info.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-cli-'));
const env = { STRANGLER_ADMIN_TOKEN: 'a-very-long-admin-token' };
const CONFIG = `proxy:
  admin: { token: \${STRANGLER_ADMIN_TOKEN} }
  backends:
    legacy: { url: http://127.0.0.1:8000 }
    new: { url: http://127.0.0.1:9000, timeoutMs: 5000 }
  routes:
    - { name: profile.get, match: { method: GET, path: /api/users/:id }, new: 10, shadow: 100 }
`;

async function cli(...argv: string[]) {
  const io = bufferIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('strangler CLI', () => {
  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  test('--help lists the commands', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    expect(out).toContain('config');
    expect(out).toContain('doctor');
  });

  test('an unknown command or option is one readable line and exit 2', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe("strangler: unknown command 'frobnicate' [STRANGLER_E_USAGE]");
    const o = await cli('config', 'check', '-c', 'x.yaml', '--nope');
    expect(o.code).toBe(2);
    expect(o.err).toContain("unknown option '--nope'");
  });

  test('a missing required option is a usage error', async () => {
    const r = await cli('config', 'check');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--config <file>');
  });

  test('config check prints a summary of a valid file', async () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(file, CONFIG);
    const r = await cli('config', 'check', '-c', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`config ok: ${file}`);
    expect(r.out).toContain('profile.get: GET /api/users/:id  new 10%  shadow 100%  fallback on');
  });

  test('config check --json never shows the token', async () => {
    const file = path.join(dir, 'ok.yaml');
    writeFileSync(file, CONFIG);
    const r = await cli('config', 'check', '-c', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).proxy.admin.token).toBe('***');
  });

  test('config check lists every error of a bad file and exits 2', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, CONFIG.replace('new: 10', 'new: 101').replace('timeoutMs: 5000', 'timeoutMs: soon'));
    const r = await cli('config', 'check', '-c', file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${file}: 2 config errors`);
    expect(r.err).toContain('proxy.routes[0].new: expected a percentage from 0 to 100, got 101 [STRANGLER_E_CONFIG_RANGE]');
    expect(r.err).toContain('proxy.backends.new.timeoutMs');
  });

  test('a missing file is exit 2 with a hint', async () => {
    const r = await cli('config', 'check', '-c', path.join(dir, 'missing.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no such config file \[STRANGLER_E_CONFIG_NOT_FOUND\]\n  hint: /);
  });
});
