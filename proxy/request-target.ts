import type http from 'node:http';
import type net from 'node:net';
import { canonicalPath, isPlainPath, matchPathOf, pathOf, type PathRules, type Rejected } from './normalise-path.js';

export type { PathRules, Rejected } from './normalise-path.js';

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const AUTHORITY = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Decides a request's canonical target (see normalise-path.ts) and makes the request carry it, so
 * that everything after this (the route match, the sticky key, the forwarded request line, the
 * mirror) sees the same target: req.url becomes the canonical path plus the query as sent (a
 * fragment is dropped), an absolute-form target's authority becomes the Host header (RFC 9112
 * §3.2.2). Returns the path routes are matched against, or why the request is refused.
 */
export function canonicaliseRequest(req: http.IncomingMessage, rules: PathRules): string | Rejected {
  const raw = req.url ?? '/';
  const path = pathOf(raw);
  if (isPlainPath(path)) {
    if (path.length !== raw.length && raw.charCodeAt(path.length) === 0x23) req.url = path;
    return path;
  }
  let rest = raw;
  if (path.charCodeAt(0) !== 0x2f) {
    // OPTIONS * (asterisk-form) concerns the server as a whole: it goes through as it is, no route matches it.
    if (raw === '*' && req.method === 'OPTIONS') return '*';
    const abs = ABSOLUTE.exec(raw);
    if (abs === null || !/^https?$/i.test(abs[1]!) || !AUTHORITY.test(abs[2]!)) {
      return { code: 'STRANGLER_E_PROXY_PATH_MALFORMED', message: 'the request target is neither a path nor an absolute http(s) URL with a plain host' };
    }
    req.headers.host = abs[2]!.toLowerCase();
    rest = abs[3]!.startsWith('/') ? abs[3]! : `/${abs[3]}`;
  }
  const canonical = canonicalPath(pathOf(rest), rules);
  if (typeof canonical !== 'string') return canonical;
  const q = rest.indexOf('?');
  const h = rest.indexOf('#');
  const query = q === -1 || (h !== -1 && h < q) ? '' : h === -1 ? rest.slice(q) : rest.slice(q, h);
  req.url = canonical + query;
  return matchPathOf(canonical);
}

function rejectionBody(r: Rejected): string {
  return JSON.stringify({ error: { code: r.code, message: r.message } });
}

/** The 400 answer to a refused target (nothing was forwarded); the connection closes after it. */
export function writeRejection(res: http.ServerResponse, r: Rejected): void {
  const body = rejectionBody(r);
  res.shouldKeepAlive = false;
  res.writeHead(400, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-strangler-error': r.code,
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** The same answer on an upgrade request's socket (no ServerResponse exists for it). */
export function writeUpgradeRejection(socket: net.Socket, r: Rejected): void {
  const body = rejectionBody(r);
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\nx-strangler-error: ${r.code}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
