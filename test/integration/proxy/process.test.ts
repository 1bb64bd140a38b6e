import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { freePort } from '../../../local-servers/free-port.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, adminHeaders, json, request, spawnProxy, type ProxyProcess } from './setup.js';

const MB = 1024 * 1024;
const SIZE = 50 * MB;

let legacy: Upstream;
let next: Upstream;
let dir: string;
let configFile: string;
let port: number;
let adminPort: number;
let child: ChildProcess;
let proc: ProxyProcess;
let exited: Promise<number | null>;

function config(routes: string, extra = ''): string {
  return `proxy:
  listen: 127.0.0.1:${port}
  admin:
    listen: 127.0.0.1:${adminPort}
    token: \${STRANGLER_ADMIN_TOKEN}
  backends:
    legacy: { url: ${legacy.url}, timeoutMs: 5000 }
    new: { url: ${next.url}, timeoutMs: 5000 }
  state: { store: file, path: ./state/routes.json }
  routes:
${routes}
${extra}`;
}

/** Highest resident set of the proxy process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

const until = (what: string, probe: () => Promise<boolean> | boolean, ms?: number) => proc.until(what, probe, ms);

const routeNames = async () => ((await json(fetch(`http://127.0.0.1:${adminPort}/routes`, { headers: adminHeaders() }))).routes as { name: string }[]).map((r) => r.name);
const proxyUrl = () => `http://127.0.0.1:${port}`;

beforeAll(async () => {
  const chunk = Buffer.alloc(MB, 'x');
  legacy = await startUpstream((req, res) => {
    if (req.url === '/download') {
      res.writeHead(200, { 'content-length': SIZE });
      let sent = 0;
      const pump = () => {
        while (sent < SIZE) {
          sent += MB;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (req.url === '/upload') {
      const h = createHash('sha256');
      req.on('data', (c) => h.update(c));
      return void req.on('end', () => res.end(h.digest('hex')));
    }
    if (req.url === '/slow') return void setTimeout(() => res.end('slow done'), 400);
    req.resume();
    res.end(`legacy ${req.url}`);
  });
  next = await startUpstream((req, res) => res.end(`new ${req.url}`));
  [port, adminPort] = [await freePort(), await freePort()];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-proxy-'));
  configFile = path.join(dir, 'strangler.yaml');
  fs.writeFileSync(configFile, config('    - { name: one, match: { path: /one }, new: 100 }'));
  proc = await spawnProxy(configFile, ['--grace', '5000']);
  child = proc.child;
  exited = proc.exited;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await legacy?.close();
  await next?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('strangler proxy start (a real process)', () => {
  it('streams 50 MB down and up with the proxy RSS growing < 50 MB', async () => {
    await request(proxyUrl(), { path: '/warm' });
    const before = peakRss(child.pid!);
    const down = await new Promise<number>((resolve, reject) => {
      http.get(`${proxyUrl()}/download`, { agent: false }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
      }).on('error', reject);
    });
    expect(down).toBe(SIZE);
    const chunk = Buffer.alloc(MB, 'y');
    const expected = createHash('sha256');
    for (let i = 0; i < SIZE / MB; i++) expected.update(chunk);
    const up = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${proxyUrl()}/upload`, { method: 'POST', agent: false, headers: { 'content-length': SIZE } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < SIZE) {
          sent += MB;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(up).toBe(expected.digest('hex'));
    expect(peakRss(child.pid!) - before).toBeLessThan(50 * MB);
  }, 60_000);

  it('reloads on a file change and on SIGHUP, and rejects an invalid config', async () => {
    fs.writeFileSync(configFile, config('    - { name: two, match: { path: /two }, new: 100 }'));
    await until('file-change reload', async () => (await routeNames()).join() === 'two');
    expect((await request(proxyUrl(), { path: '/two' })).body.toString()).toBe('new /two');

    // Invalid: the old table keeps serving and the error is logged with its path.
    fs.writeFileSync(configFile, config('    - { name: three, match: { path: /three }, new: 150 }'));
    await until('rejection logged', () => proc.stderr().includes('config reload rejected'));
    expect(proc.stderr()).toContain('proxy.routes[0].new');
    expect(await routeNames()).toEqual(['two']);
    expect((await request(proxyUrl(), { path: '/two' })).body.toString()).toBe('new /two');

    // A valid file again, picked up by SIGHUP whatever the watcher did.
    fs.writeFileSync(configFile, config('    - { name: four, match: { path: /four }, new: 100 }'));
    child.kill('SIGHUP');
    await until('SIGHUP reload', async () => (await routeNames()).join() === 'four');
  }, 30_000);

  it('keeps dial changes in the state file', async () => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/routes/four`, { method: 'PATCH', headers: adminHeaders(), body: '{"new":0,"who":"t"}' });
    expect(res.status).toBe(200);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state/routes.json'), 'utf8'));
    expect(state.dials.four).toEqual({ new: 0, shadow: 0, fallback: true });
    expect(state.history.at(-1)).toMatchObject({ route: 'four', who: 't' });
  });

  it('stops gracefully on SIGTERM: in-flight requests finish, then exit 0', async () => {
    const slow = request(proxyUrl(), { path: '/slow' });
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const r = await slow;
    expect([r.status, r.body.toString()]).toEqual([200, 'slow done']);
    expect(await exited).toBe(0);
    await expect(request(proxyUrl(), { path: '/after' })).rejects.toThrow();
  }, 20_000);
});

describe('strangler proxy start: bad input', () => {
  it('refuses an invalid config with exit 2 and a located error', async () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, config('    - { name: x, match: { path: "/x/*/y" } }'));
    const io = bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN });
    expect(await runCli(['proxy', 'start', '-c', file], io)).toBe(2);
    expect(io.err()).toContain('proxy.routes[0].match.path');
    expect(io.err()).toContain('STRANGLER_E_CONFIG_ROUTE_PATTERN');
  });

  it('fails with exit 1 when its port is taken', async () => {
    const file = path.join(dir, 'busy.yaml');
    fs.writeFileSync(file, config('    - { name: x, match: { path: /x } }').replace(`listen: 127.0.0.1:${port}`, `listen: 127.0.0.1:${legacy.port}`).replace('./state/routes.json', './state/busy.json'));
    const io = bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN });
    expect(await runCli(['proxy', 'start', '-c', file], io)).toBe(1);
    expect(io.err()).toContain('STRANGLER_E_PROXY_LISTEN');
  });
});
