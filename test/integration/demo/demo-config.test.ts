import { existsSync } from 'node:fs';
import { runCli } from '../../../cli/program.js';
import { bufferIo } from '../../../cli/io.js';
import { loadConfig } from '../../../config/load.js';
import { DEMO_CONFIG_FILE, DEMO_EXPECTED, demoConfigEnv } from '../../../examples/demo/index.js';

describe('examples/demo/strangler.yaml', () => {
  test('passes `strangler config check` with its defaults', async () => {
    const io = bufferIo({ PATH: process.env.PATH });
    expect(await runCli(['config', 'check', '-c', DEMO_CONFIG_FILE], io)).toBe(0);
    expect(io.out()).toContain('7 route(s)');
  });

  test('takes every address from the environment the demo runner sets', () => {
    const env = demoConfigEnv({
      proxyListen: '127.0.0.1:41000',
      adminListen: '127.0.0.1:41001',
      adminToken: 'a-token-of-sixteen-chars',
      legacyUrl: 'http://127.0.0.1:41002',
      newUrl: 'http://127.0.0.1:41003',
      mysqlUrl: 'mysql://root@127.0.0.1:41004/strangler_demo',
      projectId: 'demo-project',
      namespace: 'demo-ns',
      workDir: '/tmp/strangler-demo-x',
    });
    const config = loadConfig(DEMO_CONFIG_FILE, env);
    expect(config.proxy!.listen).toEqual({ host: '127.0.0.1', port: 41000 });
    expect(config.proxy!.admin).toEqual({ listen: { host: '127.0.0.1', port: 41001 }, token: 'a-token-of-sixteen-chars' });
    expect(config.proxy!.backends.legacy.url).toBe('http://127.0.0.1:41002');
    expect(config.proxy!.backends.new.url).toBe('http://127.0.0.1:41003');
    expect(config.proxy!.diffs.path).toBe('/tmp/strangler-demo-x/diffs.jsonl');
    expect(config.migrate!.source).toBe('mysql://root@127.0.0.1:41004/strangler_demo');
    expect(config.migrate!.target).toMatchObject({ projectId: 'demo-project', namespace: 'demo-ns' });
    // follow's read-model hook: the module next to the running code (the .ts source under jest).
    const hook = env.STRANGLER_DEMO_READ_MODEL_HOOK!;
    expect(existsSync(hook)).toBe(true);
    expect(hook).toMatch(/examples\/new-service\/read-model-hook\.ts$/);
    expect([config.migrate!.tables.activities!.onChange, config.migrate!.tables.activity_participants!.onChange]).toEqual([hook, hook]);
  });

  test('routes the endpoints the demo expects, every dial at 0, nothing ignored, PHP normalisers on', () => {
    const config = loadConfig(DEMO_CONFIG_FILE, {});
    const routes = config.proxy!.routes;
    const byName = new Map(routes.map((r) => [r.name, r]));
    for (const name of [DEMO_EXPECTED.difference.route, DEMO_EXPECTED.noise.route, ...DEMO_EXPECTED.clean]) expect(byName.has(name)).toBe(true);
    expect(byName.get(DEMO_EXPECTED.difference.route)!.match.path).toBe(DEMO_EXPECTED.difference.path);
    expect(byName.get(DEMO_EXPECTED.noise.route)!.match.path).toBe(DEMO_EXPECTED.noise.path);
    for (const r of routes) {
      expect({ name: r.name, new: r.new, shadow: r.shadow, ignore: r.diff.ignore }).toEqual({ name: r.name, new: 0, shadow: 0, ignore: [] });
      expect(r.diff.normalise).toEqual({ numericStrings: true, emptyArrayObject: true, nullMissing: true });
    }
    expect(Object.keys(config.migrate!.tables)).toEqual(['users', 'activities', 'activity_participants', 'chats', 'messages']);
    expect(config.migrate!.tables.messages).toMatchObject({ kind: 'Message', key: 'id', updatedAt: 'updated_at', parent: { kind: 'Chat', column: 'chat_id' } });
    expect(config.migrate!.tables.users!.columns.password_hash).toMatchObject({ skip: true });
  });
});
