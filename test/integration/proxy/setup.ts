import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { parseConfig } from '../../../config/load.js';
import type { ProxyConfig } from '../../../config/proxy-schema.js';
import type { ConsoleSources } from '../../../proxy/console/sources.js';
import { startProxy, type RunningProxy } from '../../../proxy/runtime.js';
import type { ShadowSink } from '../../../proxy/shadow-contract.js';
import type { StateStore } from '../../../proxy/state/contract.js';
import { MemoryStateStore } from '../../../proxy/state/memory-store.js';

export const TOKEN = 'test-admin-token-0123456789';

/** A proxy config (ports 0) with the given backends and routes, validated like a real file. */
export function proxyConfig(legacy: string, next: string, extra: Record<string, unknown> = {}): ProxyConfig {
  const doc = {
    proxy: {
      listen: '127.0.0.1:0',
      admin: { listen: '127.0.0.1:0', token: TOKEN },
      backends: { legacy: { url: legacy, timeoutMs: 2000 }, new: { url: next, timeoutMs: 2000 } },
      state: { store: 'memory' },
      ...extra,
    },
  };
  return parseConfig(JSON.stringify(doc), 'test.json', {}).proxy!;
}

export interface TestProxy extends RunningProxy {
  url: string;
  admin: string;
  store: StateStore;
}

export async function startTestProxy(config: ProxyConfig, store: StateStore = new MemoryStateStore(), shadowSink?: ShadowSink, sources?: ConsoleSources): Promise<TestProxy> {
  const running = await startProxy({ config, store, shadowSink, ...(sources ? { console: sources } : {}) });
  return Object.assign(running, {
    url: `http://127.0.0.1:${running.address.port}`,
    admin: `http://127.0.0.1:${running.adminAddress.port}`,
    store,
  });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** A raw request with node:http (no client-side path normalisation), on a fresh connection. */
export function request(url: string, options: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; agent?: http.Agent | false } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends raw bytes on a fresh connection and returns everything the server sent until it closed. */
export function rawExchange(url: string, bytes: Buffer | string, timeoutMs = 5000): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export function adminHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...extra };
}

/** PATCH /routes/:name through the admin API; throws on a non-2xx answer. */
export async function setDial(admin: string, route: string, patch: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${admin}/routes/${route}`, { method: 'PATCH', headers: adminHeaders(), body: JSON.stringify(patch) });
  const body = await res.json();
  if (!res.ok) throw new Error(`PATCH ${route}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export interface LoadResult {
  requests: number;
  /** Answers other than 200, and transport errors, with what they were. */
  failures: string[];
}

/** A small load generator: `concurrency` keep-alive clients sending GETs until stopped. */
export function startLoad(url: string, path: string, concurrency = 4, headers: http.OutgoingHttpHeaders = {}): { stop: () => Promise<LoadResult> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { requests: 0, failures: [] };
  let running = true;
  const worker = async () => {
    while (running) {
      try {
        const r = await request(url, { path, agent, headers });
        result.requests++;
        if (r.status !== 200) result.failures.push(`${r.status} ${r.body.toString().slice(0, 200)}`);
      } catch (err) {
        result.failures.push(String(err));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return result;
    },
  };
}

/** The JSON body of an admin answer, untyped on purpose: tests assert its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

/** `strangler proxy start` as a real child process (from source, through tsx), its output collected. */
export interface ProxyProcess {
  child: ChildProcess;
  stderr: () => string;
  /** The exit code, once it has exited. */
  exited: Promise<number | null>;
  /** Polls `probe` until it holds; fails with the proxy's stderr when it does not in time, or when the proxy exits first. */
  until(what: string, probe: () => Promise<boolean> | boolean, ms?: number): Promise<void>;
}

/** Starts the proxy on a config file and waits until it says it listens. */
/** startMs: how long the start may take (tsx compiles the CLI first, which takes long on a loaded machine). */
export async function spawnProxy(configFile: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, startMs = 30_000): Promise<ProxyProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/main.ts'), 'proxy', 'start', '-c', configFile, ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, STRANGLER_ADMIN_TOKEN: TOKEN, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = async (what: string, probe: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}) before ${what}; stderr:\n${stderr}`);
      if (await Promise.resolve(probe()).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what} did not happen within ${ms} ms; proxy stderr:\n${stderr}`);
  };
  await until('proxy start', () => stdout.includes('strangler proxy listening'), startMs);
  return { child, stderr: () => stderr, exited, until };
}
