import http from 'node:http';
import { parseConfig } from '../../../config/load.js';
import type { ProxyConfig } from '../../../config/proxy-schema.js';
import { startProxy, type RunningProxy } from '../../../proxy/runtime.js';
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

export async function startTestProxy(config: ProxyConfig, store: StateStore = new MemoryStateStore()): Promise<TestProxy> {
  const running = await startProxy({ config, store });
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
