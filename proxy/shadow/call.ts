import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { BackendConfig, BackendName } from '../../config/proxy-schema.js';
import { prepareHeaders } from '../backend-agent.js';
import { faultOf } from '../fault.js';
import type { ResponseCapture } from './capture.js';

export interface MirrorTarget {
  name: BackendName;
  config: BackendConfig;
}

/** What a mirrored call needs of the user's request: plain data, so it can cross to a worker. */
export interface RequestHead {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined; encrypted?: boolean };
}

/**
 * Sends one mirrored request to `target` and captures its answer; `done` is called once, when the
 * answer ended or failed. The request carries x-strangler-shadow: 1 and the forwarding headers the
 * primary call gets.
 */
export function mirrorCall(
  head: RequestHead,
  target: MirrorTarget,
  url: URL,
  agent: http.Agent,
  capture: ResponseCapture,
  body: Buffer | undefined,
  done: () => void,
): http.ClientRequest {
  const t0 = performance.now();
  let timedOut = false;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    capture.latencyMs = performance.now() - t0;
    done();
  };
  const out = (url.protocol === 'https:' ? https : http).request({
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port,
    method: head.method,
    path: (url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')) + head.url,
    headers: { ...head.headers },
    agent,
  });
  // prepareHeaders reads only the request's headers and its socket's address and encryption.
  prepareHeaders(out, head as unknown as http.IncomingMessage, target.config.host, false);
  out.setHeader('x-strangler-shadow', '1');
  if (body === undefined) out.removeHeader('transfer-encoding');
  out.setTimeout(target.config.timeoutMs, () => {
    timedOut = true;
    out.destroy();
  });
  out.on('response', (res) => {
    capture.head(res);
    res.on('data', capture.data);
    res.on('end', settle);
    res.on('close', () => {
      if (!res.complete) capture.fail(timedOut ? 'timeout' : 'backend-error', timedOut ? 'STRANGLER_E_PROXY_TIMEOUT' : 'STRANGLER_E_PROXY_RESET');
      settle();
    });
  });
  out.on('error', (err) => {
    const fault = faultOf(err, target.name, timedOut, target.config.timeoutMs);
    capture.fail(timedOut ? 'timeout' : 'backend-error', fault.code);
    settle();
  });
  out.end(body);
  return out;
}

/** Keep-alive pools per backend URL, sized so that mirrored calls never queue behind each other. */
export class MirrorPools {
  private readonly agents = new Map<string, http.Agent>();
  private readonly urls = new Map<string, URL>();

  constructor(private readonly maxSockets: () => number) {}

  urlOf(config: BackendConfig): URL {
    let u = this.urls.get(config.url);
    if (!u) {
      u = new URL(config.url);
      this.urls.set(config.url, u);
    }
    return u;
  }

  agentFor(config: BackendConfig): http.Agent {
    let agent = this.agents.get(config.url);
    if (!agent) {
      const Agent = config.url.startsWith('https:') ? https.Agent : http.Agent;
      agent = new Agent({ keepAlive: true, maxSockets: this.maxSockets() });
      this.agents.set(config.url, agent);
    }
    return agent;
  }

  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
