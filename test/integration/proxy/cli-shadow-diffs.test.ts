import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { freePort } from '../../../local-servers/free-port.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, adminHeaders, spawnProxy, type ProxyProcess } from './setup.js';

/**
 * The whole chain as ops and QA run it: `strangler proxy start` mirrors a shadowed route, the
 * diff sink it wires compares and stores the pairs, `strangler diffs report -c` reads them back.
 */
let legacy: Upstream;
let next: Upstream;
let proc: ProxyProcess;
let dir: string;
let configFile: string;
let port: number;
let adminPort: number;


beforeAll(async () => {
  // Legacy answers the PHP way (numeric strings); new answers with numbers and one real difference.
  legacy = await startUpstream((req, res) => {
    const id = /\/api\/users\/(\d+)/.exec(req.url ?? '')?.[1] ?? '0';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id, name: `User ${id}`, tags: [] }));
  });
  next = await startUpstream((req, res) => {
    const id = /\/api\/users\/(\d+)/.exec(req.url ?? '')?.[1] ?? '0';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: Number(id), name: Number(id) % 2 ? `User ${id}` : `user ${id}`, tags: {} }));
  });
  [port, adminPort] = [await freePort(), await freePort()];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-cli-shadow-'));
  configFile = path.join(dir, 'strangler.yaml');
  fs.writeFileSync(
    configFile,
    `proxy:
  listen: 127.0.0.1:${port}
  admin: { listen: 127.0.0.1:${adminPort}, token: \${STRANGLER_ADMIN_TOKEN} }
  backends:
    legacy: { url: ${legacy.url} }
    new: { url: ${next.url} }
  state: { store: file, path: ./routes.json }
  diffs: { store: file, path: ./diffs.jsonl }
  # The worker at the proxy's priority: at nice 19 in SCHED_IDLE it gets no CPU while anything else runs.
  shadow: { workerNice: 0, workerIdle: false }
  routes:
    - { name: users.get, match: { method: GET, path: /api/users/:id }, new: 0, shadow: 100 }
`,
  );
  proc = await spawnProxy(configFile);
}, 60_000);

afterAll(async () => {
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
  await Promise.all([legacy?.close(), next?.close()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('proxy start mirrors, the wired sink stores diffs, diffs report finds the field', async () => {
  for (let id = 1; id <= 40; id++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/users/${id}`);
    expect(JSON.parse(await res.text())).toEqual({ id: String(id), name: `User ${id}`, tags: [] }); // the user sees legacy
  }
  const records = () => (fs.existsSync(path.join(dir, 'diffs.jsonl')) ? fs.readFileSync(path.join(dir, 'diffs.jsonl'), 'utf8').trim().split('\n').filter(Boolean) : []);
  await proc.until('40 diff records', () => records().length >= 40, 20_000);

  // The sink runs in the proxy's shadow worker thread, which reports its counters in batches.
  let metrics = '';
  await proc.until('the compared counter on /metrics', async () => {
    metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: adminHeaders() })).text();
    return /strangler_shadow_compared_total\{route="users.get"\} 40/.test(metrics);
  }, 20_000);
  expect(metrics).toMatch(/strangler_shadow_compared_total\{route="users.get"\} 40/);
  expect(metrics).toMatch(/strangler_shadow_mismatched_total\{route="users.get"\} 20/);

  const io = bufferIo({ ...process.env, STRANGLER_ADMIN_TOKEN: TOKEN });
  const code = await runCli(['diffs', 'report', '-c', configFile, '--format', 'json', '--min-compared', '10'], io);
  expect(code).toBe(1); // half the answers differ: not ready
  const report = JSON.parse(io.out()) as { routes: { route: string; compared: number; matched: number; topFields: { path: string; count: number }[]; normalised: Record<string, number> }[] };
  const route = report.routes.find((r) => r.route === 'users.get')!;
  expect(route).toMatchObject({ compared: 40, matched: 20 });
  // Only the real difference: the numeric-string ids and [] vs {} were absorbed by the PHP normalisers.
  expect(route.topFields.map((f) => [f.path, f.count])).toEqual([['/name', 20]]);
  expect(route.normalised).toMatchObject({ numericStrings: 40, emptyArrayObject: 40 });
});

test('a config reload gives the sink the routes\' new diff rules', async () => {
  const records = () => fs.readFileSync(path.join(dir, 'diffs.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { path: string; match: boolean; differences: { path: string }[] });
  const seen = records().length;
  fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace('new: 0, shadow: 100 }', 'new: 0, shadow: 100, diff: { ignore: [/name] } }'));
  proc.child.kill('SIGHUP');
  await proc.until('the reload', () => /config reload applied/.test(proc.stderr()), 10_000);
  // Even ids differ in /name (see beforeAll): ignored now.
  for (let id = 2; id <= 20; id += 2) await (await fetch(`http://127.0.0.1:${port}/api/users/${id}`)).text();
  await proc.until('10 more diff records', () => records().length >= seen + 10, 20_000);
  const fresh = records().slice(seen);
  expect(fresh).toHaveLength(10);
  expect(fresh.every((r) => r.match && r.differences.length === 0)).toBe(true);
});

// SCHED_IDLE is Linux's (chrt is util-linux's); elsewhere the worker does not try it.
(process.platform === 'linux' ? test : test.skip)('without chrt on the PATH the shadow worker logs one warning naming it and still mirrors and stores', async () => {
  const other = path.join(dir, 'no-chrt.yaml');
  const [p, a] = [await freePort(), await freePort()];
  fs.writeFileSync(other, fs.readFileSync(configFile, 'utf8').replace(`127.0.0.1:${port}`, `127.0.0.1:${p}`).replace(`127.0.0.1:${adminPort}`, `127.0.0.1:${a}`).replace('./routes.json', './routes-2.json').replace('./diffs.jsonl', './diffs-2.jsonl').replace('workerIdle: false', 'workerIdle: true'));
  const bare = await spawnProxy(other, [], { PATH: path.join(dir, 'no-such-bin') });
  try {
    await (await fetch(`http://127.0.0.1:${p}/api/users/1`)).text();
    await bare.until('a diff record', () => fs.existsSync(path.join(dir, 'diffs-2.jsonl')) && fs.readFileSync(path.join(dir, 'diffs-2.jsonl'), 'utf8').includes('/api/users/1'), 20_000);
    const warnings = bare.stderr().split('\n').filter((l) => l.includes('SCHED_IDLE'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('chrt'), error: expect.stringContaining('ENOENT') });
  } finally {
    bare.child.kill('SIGTERM');
    await bare.exited;
  }
});
