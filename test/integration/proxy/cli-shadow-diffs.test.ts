import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { freePort } from '../../../services/free-port.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, adminHeaders } from './setup.js';

/**
 * The whole chain as ops and QA run it: `strangler proxy start` mirrors a shadowed route, the
 * diff sink it wires compares and stores the pairs, `strangler diffs report -c` reads them back.
 */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
let legacy: Upstream;
let next: Upstream;
let child: ChildProcess;
let dir: string;
let configFile: string;
let port: number;
let adminPort: number;
let stderr = '';

async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}) before ${what}; stderr:\n${stderr}`);
    if (await Promise.resolve(probe()).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${ms} ms; proxy stderr:\n${stderr}`);
}

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
  routes:
    - { name: users.get, match: { method: GET, path: /api/users/:id }, new: 0, shadow: 100 }
`,
  );
  child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/main.ts'), 'proxy', 'start', '-c', configFile], {
    cwd: ROOT,
    env: { ...process.env, STRANGLER_ADMIN_TOKEN: TOKEN, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  await until('proxy start', () => stdout.includes('strangler proxy listening'), 30_000);
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
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
  await until('40 diff records', () => records().length >= 40);

  // The sink runs in the proxy's shadow worker thread, which reports its counters in batches.
  let metrics = '';
  await until('the compared counter on /metrics', async () => {
    metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: adminHeaders() })).text();
    return /strangler_shadow_compared_total\{route="users.get"\} 40/.test(metrics);
  });
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
