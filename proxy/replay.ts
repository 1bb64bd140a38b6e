import type http from 'node:http';

/** Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Whether a request may be sent again (to legacy after the new service failed it, or once more after
 * a stale keep-alive connection): 'empty' for an idempotent request without a body; 'buffer' for one
 * whose body has a declared length of at most maxBodyBytes, which the proxy then reads whole before
 * forwarding it (as nginx's proxy_request_buffering does) so that it can send it twice; 'no' for the
 * rest (not idempotent, chunked, or too large: those stream through once).
 */
export function replayable(req: http.IncomingMessage, maxBodyBytes: number): 'empty' | 'buffer' | 'no' {
  if (!IDEMPOTENT.has(req.method ?? '')) return 'no';
  if (req.headers['transfer-encoding'] !== undefined) return 'no';
  const length = req.headers['content-length'];
  if (length === undefined || length === '0') return 'empty';
  return /^\d+$/.test(length) && Number(length) <= maxBodyBytes ? 'buffer' : 'no';
}
