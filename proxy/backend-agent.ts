import http from 'node:http';
import https from 'node:https';

/** Node's internal hook through which every ClientRequest gets its socket (stable since node 0.x, untyped). */
type AddRequest = (this: http.Agent, req: http.ClientRequest, options: unknown) => void;

/** Hop-by-hop headers (RFC 9110 §7.6.1): they concern one connection and are never forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade'];

function joined(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Readies the outgoing request's headers: hop-by-hop out, x-forwarded-* appended, Host as configured.
 * The outgoing headers are a copy of the incoming ones, so the checks read the incoming plain object
 * (lower-case keys, cheap lookups) and touch the outgoing request only where something changes.
 */
export function prepareHeaders(out: http.ClientRequest, incoming: http.IncomingMessage, host: string | undefined, upgrade: boolean): void {
  // Node writes the head at construction when a request has an Expect header; the proxy removes
  // Expect before forwarding (request-path.ts), so this only guards against a future path that doesn't.
  if (out.headersSent) return;
  const h = incoming.headers;
  if (!upgrade) {
    const connection = h.connection;
    if (connection !== undefined) {
      for (const token of connection.split(',')) {
        const name = token.trim().toLowerCase();
        if (name && name !== 'close' && name !== 'keep-alive') out.removeHeader(name);
      }
    }
    for (const name of HOP_BY_HOP) {
      const v = h[name];
      if (v !== undefined && !(name === 'te' && String(v).trim().toLowerCase() === 'trailers')) out.removeHeader(name);
    }
  }
  // Only the proxy may mark a call as mirrored: a backend may skip side effects for one.
  if (h['x-strangler-shadow'] !== undefined) out.removeHeader('x-strangler-shadow');
  const xff = joined(h['x-forwarded-for']);
  const addr = incoming.socket.remoteAddress ?? 'unknown';
  out.setHeader('x-forwarded-for', xff === undefined ? addr : `${xff}, ${addr}`);
  const proto = (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const xfp = joined(h['x-forwarded-proto']);
  out.setHeader('x-forwarded-proto', xfp === undefined ? proto : `${xfp}, ${proto}`);
  if (h.host) {
    const xfh = joined(h['x-forwarded-host']);
    out.setHeader('x-forwarded-host', xfh === undefined ? h.host : `${xfh}, ${h.host}`);
  }
  if (host !== undefined) out.setHeader('host', host);
}

export interface ForwardingAgent extends http.Agent {
  /** The incoming request the next ClientRequest is made for (set just before http-proxy makes it). */
  arm(incoming: http.IncomingMessage): void;
  /** The ClientRequest made since arm(), once. */
  take(): http.ClientRequest | undefined;
}

/**
 * A keep-alive agent that writes the request target exactly as the client sent it and readies the
 * headers. http-proxy rebuilds the path with url.parse() and a urlJoin() that merges "//"
 * (lib/http-proxy/common.js, setupOutgoing), which would break "byte for byte";
 * node builds the request line from req.path lazily, so setting it here, before the socket is
 * assigned, is enough. http-proxy creates the ClientRequest synchronously inside web(), which is what
 * makes arm()/take() around that call safe.
 */
export function forwardingAgent(url: URL, options: { maxSockets: number; keepAlive: boolean; host: string | undefined; upgrade: boolean }): ForwardingAgent {
  const Base = url.protocol === 'https:' ? https.Agent : http.Agent;
  const prefix = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  let pending: http.IncomingMessage | undefined;
  let made: http.ClientRequest | undefined;
  const baseAddRequest = (Base.prototype as unknown as { addRequest: AddRequest }).addRequest;
  // For plain http, what the agent needs from a request's options is where to connect: node's
  // addRequest copies the options it is given (http-proxy's, ~20 keys) into a fresh object on every
  // request and derives a TLS servername from the Host header. A fixed small object does neither
  // (servername only matters for TLS). https keeps http-proxy's options (CA, certificates...).
  const where = url.protocol === 'http:' ? { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), servername: '' } : undefined;
  class Agent extends (Base as typeof http.Agent) implements ForwardingAgent {
    arm(incoming: http.IncomingMessage): void {
      pending = incoming;
      made = undefined;
    }
    take(): http.ClientRequest | undefined {
      const r = made;
      made = undefined;
      return r;
    }
    addRequest(req: http.ClientRequest, opts: unknown): void {
      const incoming = pending;
      pending = undefined;
      if (incoming !== undefined) {
        req.path = prefix + (incoming.url ?? '/');
        prepareHeaders(req, incoming, options.host, options.upgrade);
        made = req;
      }
      baseAddRequest.call(this, req, where ?? opts);
    }
  }
  // No `timeout` here: node would re-arm the socket's timer on every request (see idle-sweep.ts).
  return new Agent({ keepAlive: options.keepAlive, maxSockets: options.maxSockets, scheduling: 'lifo' });
}
