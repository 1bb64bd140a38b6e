import type http from 'node:http';
import type net from 'node:net';
import { Readable } from 'node:stream';
import { parse as parseUrl } from 'node:url';
import httpProxy from 'http-proxy';
import type { BackendConfig, BackendName } from '../config/proxy-schema.js';
import { forwardingAgent, type ForwardingAgent } from './backend-agent.js';
import { IdleSweep } from './idle-sweep.js';

export interface ForwardHooks {
  /** A backend's response head arrived, before anything of it reaches the client. */
  response(proxyRes: http.IncomingMessage, req: http.IncomingMessage, res: http.ServerResponse): void;
  /** A backend's response body ended. */
  end(req: http.IncomingMessage, res: http.ServerResponse, proxyRes: http.IncomingMessage): void;
}

/** Response headers that concern one connection (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'proxy-authenticate', 'trailer', 'upgrade'];

/**
 * Drops a response's hop-by-hop headers (and those its Connection header names) before they are
 * copied. They are set to undefined rather than deleted: every copier skips undefined values, and a
 * delete would turn the headers object into a slow dictionary on every response.
 */
export function stripResponseHopByHop(headers: http.IncomingHttpHeaders): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && name !== 'close' && name !== 'keep-alive' && name !== 'connection' && headers[name] !== undefined) headers[name] = undefined;
    }
    // The client's own connection decides keep-alive (http-proxy's setConnection re-adds it).
    headers.connection = undefined;
  }
  for (const name of HOP_BY_HOP) if (headers[name] !== undefined) headers[name] = undefined;
}

/**
 * Writes a response head the way http-proxy's own web-outgoing passes do (status, headers,
 * Connection for HTTP/1.0 clients) with the options the proxy uses (no redirect or cookie rewrites).
 * One writeHead() with a flat list: node validates each header once while it builds the head,
 * where setHeader() per header would also build its header map to read back.
 */
export function writeResponseHead(req: http.IncomingMessage, res: http.ServerResponse, proxyRes: http.IncomingMessage): void {
  const headers = proxyRes.headers;
  if (req.httpVersion === '1.0') {
    delete headers['transfer-encoding'];
    headers.connection = req.headers.connection || 'close';
  } else if (!headers.connection) {
    headers.connection = req.headers.connection || 'keep-alive';
  }
  const flat: (string | string[])[] = [];
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    if (v !== undefined) flat.push(key, v);
  }
  const status = proxyRes.statusCode ?? 502;
  if (proxyRes.statusMessage) res.writeHead(status, proxyRes.statusMessage, flat);
  else res.writeHead(status, flat);
}

/**
 * The one adapter around http-proxy: forwards to one backend through a keep-alive agent. The
 * response is always left to the caller (selfHandleResponse): it needs the head to fall back on a
 * 5xx, and writing it with writeResponseHead() costs less than http-proxy's web-outgoing passes
 * (measured: ~6 µs of CPU per request less than the passes on the bench's small JSON answer).
 * Options are fixed per instance and web() is called with a callback only, so http-proxy copies no
 * options per request.
 */
export class BackendForwarder {
  readonly timeoutMs: number;
  /** How long a request may wait for a pooled connection (bounded by timeoutMs). */
  readonly poolWaitMs: number;
  /** Requests in flight through this backend (a retired one closes when it reaches 0). */
  inflight = 0;
  private readonly agent: ForwardingAgent;
  private readonly wsAgent: ForwardingAgent;
  private readonly proxy: httpProxy;
  private readonly wsProxy: httpProxy;
  private readonly idle: IdleSweep;

  constructor(
    readonly name: BackendName,
    readonly config: BackendConfig,
    hooks: ForwardHooks,
  ) {
    const url = new URL(config.url);
    this.timeoutMs = config.timeoutMs;
    this.agent = forwardingAgent(url, { keepAlive: true, maxSockets: config.maxSockets, host: config.host, upgrade: false });
    this.poolWaitMs = Math.min(config.poolWaitMs ?? config.timeoutMs, config.timeoutMs);
    this.idle = new IdleSweep(config.timeoutMs, this.poolWaitMs);
    // An upgraded socket leaves the agent for good; a pool would only hold dead entries.
    this.wsAgent = forwardingAgent(url, { keepAlive: false, maxSockets: Infinity, host: config.host, upgrade: true });
    const target = parseUrl(config.url);
    // The agent writes the request target itself (backend-agent.ts): with ignorePath and no
    // prependPath, http-proxy's own path building (url.parse, urlJoin's four regex passes) runs on
    // empty strings instead of on every request's URL.
    const common = { target: target as httpProxy.ProxyTargetUrl, toProxy: true, xfwd: false, changeOrigin: false, ignorePath: true, prependPath: false };
    this.proxy = httpProxy.createProxyServer({ ...common, agent: this.agent, selfHandleResponse: true });
    this.wsProxy = httpProxy.createProxyServer({ ...common, agent: this.wsAgent, ws: true });
    this.proxy.on('proxyRes', hooks.response);
    this.proxy.on('end', (req, res, proxyRes) => hooks.end(req, res as http.ServerResponse, proxyRes));
    // Errors reach the per-request callback; these listeners only keep EventEmitter from throwing.
    this.proxy.on('error', () => undefined);
    this.proxy.on('econnreset', () => undefined);
    this.wsProxy.on('error', () => undefined);
  }

  /**
   * Forwards a request (a backend silent for timeoutMs fails it with ETIMEDOUT); returns the outgoing request (to time it out or abort it), or undefined
   * when http-proxy failed before making one (it then called onError).
   */
  web(req: http.IncomingMessage, res: http.ServerResponse, onError: (err: Error) => void, body?: Buffer): http.ClientRequest | undefined {
    this.agent.arm(req);
    // The callback-only form: http-proxy then copies no options for this request. A body already
    // read (to be sent twice) is http-proxy's `buffer` option, piped in place of the request.
    if (body === undefined) this.proxy.web(req, res, onError as never);
    else this.proxy.web(req, res, { buffer: Readable.from([body]) }, onError as never);
    const out = this.agent.take();
    if (out !== undefined) this.idle.watch(out);
    return out;
  }

  /** The request web() returned is over (answered, failed or abandoned): no longer timed. */
  done(out: http.ClientRequest): void {
    this.idle.unwatch(out);
  }

  ws(req: http.IncomingMessage, socket: net.Socket, head: Buffer, onError: (err: Error) => void): http.ClientRequest | undefined {
    this.wsAgent.arm(req);
    this.wsProxy.ws(req, socket, head, onError as never);
    return this.wsAgent.take();
  }

  /** Frees idle keep-alive sockets (in-flight requests keep theirs until they end). */
  close(): void {
    this.idle.close();
    this.agent.destroy();
    this.wsAgent.destroy();
    this.proxy.close();
    this.wsProxy.close();
  }
}
