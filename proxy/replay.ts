import type http from 'node:http';

/** Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Whether a request may be sent again to legacy after the new service failed it: idempotent, and
 * without a body (the proxy streams bodies and keeps no copy to send twice).
 */
export function canReplay(req: http.IncomingMessage): boolean {
  if (!IDEMPOTENT.has(req.method ?? '')) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}
