import fs from 'node:fs';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { parseConfig } from '../../../config/load.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, proxyConfig, request, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  next = await startUpstream((_req, res) => res.end('new'));
  proxy = await startTestProxy(
    proxyConfig(legacy.url, next.url, {
      routes: [
        { name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, new: 0, shadow: 100 },
        { name: 'checkout.post', match: { method: 'POST', path: '/api/checkout' }, new: 0 },
      ],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

const readme = () => fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '../../../README.md'), 'utf8');

async function cli(args: string[], env?: NodeJS.ProcessEnv) {
  env ??= { STRANGLER_ADMIN_TOKEN: TOKEN, STRANGLER_ACTOR: 'test', STRANGLER_ADMIN_URL: proxy.admin };
  const io = bufferIo({ ...env });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('strangler routes', () => {
  it('lists, sets, shows history and rolls back through the admin API', async () => {
    const list = await cli(['routes', 'list', '--admin', proxy.admin]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ROUTE\s+METHODS\s+PATH\s+NEW\s+SHADOW\s+FALLBACK\s+SOURCE/);
    expect(list.out).toMatch(/profile\.get\s+GET\s+\/api\/users\/:id\s+0%\s+100%\s+on\s+config/);

    const set = await cli(['routes', 'set', 'checkout.post', '--new', '25', '--fallback', 'off', '--admin', proxy.admin]);
    expect(set.code).toBe(0);
    expect(set.out).toContain('checkout.post: changed (version 1): new 0%, shadow 0%, fallback on  →  new 25%, shadow 0%, fallback off');

    const json = await cli(['routes', 'list', '--json', '--admin', proxy.admin]);
    const parsed = JSON.parse(json.out);
    expect(parsed.routes[1]).toMatchObject({ name: 'checkout.post', dial: { new: 25, fallback: false }, source: 'runtime' });

    const history = await cli(['routes', 'history', 'checkout.post', '--admin', proxy.admin]);
    expect(history.out).toMatch(/VERSION\s+AT\s+WHO\s+ACTION/);
    expect(history.out).toMatch(/1\s+\S+\s+test\s+set/);

    const rb = await cli(['routes', 'rollback', 'checkout.post', '--admin', proxy.admin]);
    expect(rb.code).toBe(0);
    expect(rb.out).toContain('rolled back version 1');
    expect((await cli(['routes', 'list', '--json', '--admin', proxy.admin])).out).toContain('"source": "runtime"');
  });

  it('fails with clear errors and exit codes', async () => {
    const noToken = await cli(['routes', 'list', '--admin', proxy.admin], {});
    expect([noToken.code, noToken.err]).toEqual([2, expect.stringContaining('STRANGLER_E_ADMIN_TOKEN_MISSING')]);
    const wrong = await cli(['routes', 'list', '--admin', proxy.admin], { STRANGLER_ADMIN_TOKEN: 'not-the-token-at-all' });
    expect([wrong.code, wrong.err]).toEqual([2, expect.stringContaining('STRANGLER_E_ADMIN_AUTH')]);
    const badPct = await cli(['routes', 'set', 'checkout.post', '--new', '150', '--admin', proxy.admin]);
    expect([badPct.code, badPct.err]).toEqual([2, expect.stringContaining('STRANGLER_E_USAGE')]);
    const nothing = await cli(['routes', 'set', 'checkout.post', '--admin', proxy.admin]);
    expect([nothing.code, nothing.err]).toEqual([2, expect.stringContaining('at least one of --new')]);
    const unknown = await cli(['routes', 'set', 'nope', '--new', '5', '--admin', proxy.admin]);
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining('STRANGLER_E_ROUTE_UNKNOWN')]);
    const down = await cli(['routes', 'list', '--admin', 'http://127.0.0.1:1']);
    expect([down.code, down.err]).toEqual([1, expect.stringContaining('STRANGLER_E_ADMIN_UNREACHABLE')]);
    expect(down.err.split('\n')[0]).not.toContain(TOKEN);
  });

  it("accepts the README's proxy config example", () => {
    const section = readme().slice(readme().indexOf('## The proxy'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const config = parseConfig(yaml, 'README.md', { STRANGLER_ADMIN_TOKEN: TOKEN }).proxy!;
    expect(config.routes.map((r) => r.name)).toEqual(['profile.get', 'checkout.post', 'static']);
    expect(config.backends.new.host).toBe('api.internal');
  });

  it("runs the README's documented routes commands", async () => {
    const section = readme().slice(readme().indexOf('## The proxy'), readme().indexOf('## Development'));
    const commands = [...section.matchAll(/^\$ (strangler routes .+)$/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const command of commands) {
      const args = command.replace(/^strangler /, '').split(/\s+/).map((a) => a.replace('http://127.0.0.1:8081', proxy.admin));
      const r = await cli(args);
      expect({ command, code: r.code, err: r.err }).toEqual({ command, code: 0, err: '' });
    }
    // The README's canary step took effect.
    const body = (await request(proxy.url, { path: '/api/users/1', headers: { 'x-user-id': 'x' } })).body.toString();
    expect(['new', 'legacy']).toContain(body);
  });
});
