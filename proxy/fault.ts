import type http from 'node:http';
import type net from 'node:net';
import type { BackendName } from '../config/proxy-schema.js';
import type { ErrorCode } from '../core/errors.js';

/** What the user gets when a backend fails: the one place errno becomes an HTTP status. */
export interface Fault {
  status: 502 | 503 | 504;
  code: ErrorCode;
  message: string;
  /** The errno (or parser code) behind it, for logs and metrics. */
  cause: string;
}

const CONNECT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ECONNABORTED']);

export function faultOf(err: unknown, backend: BackendName, timedOut: boolean, timeoutMs: number): Fault {
  const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? 'ERROR');
  if (timedOut || code === 'ETIMEDOUT') {
    return { status: 504, code: 'STRANGLER_E_PROXY_TIMEOUT', message: `the ${backend} backend sent nothing for ${timeoutMs} ms`, cause: timedOut ? 'TIMEOUT' : code };
  }
  if (code === 'EPOOLFULL') {
    return { status: 503, code: 'STRANGLER_E_PROXY_POOL_FULL', message: `no connection to the ${backend} backend was free in time`, cause: code };
  }
  if (CONNECT.has(code)) {
    return { status: 502, code: 'STRANGLER_E_PROXY_CONNECT', message: `the ${backend} backend cannot be reached (${code})`, cause: code };
  }
  if (code.startsWith('HPE_')) {
    return { status: 502, code: 'STRANGLER_E_PROXY_PROTOCOL', message: `the ${backend} backend sent an invalid HTTP response (${code})`, cause: code };
  }
  return { status: 502, code: 'STRANGLER_E_PROXY_RESET', message: `the ${backend} backend closed the connection before answering (${code})`, cause: code };
}

/** Answers with the fault's status, JSON body and x-strangler-error header (if nothing was sent yet). */
export function writeFault(res: http.ServerResponse, fault: Fault, backend: BackendName, route: string | undefined): void {
  if (res.headersSent || res.destroyed) {
    // Part of the answer is already on its way: the client can only learn of it by a cut connection.
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: fault.code, message: fault.message, backend, route: route ?? null } });
  res.writeHead(fault.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-strangler-error': fault.code,
    'cache-control': 'no-store',
    // A full pool is a moment's overload: the client may try again shortly (RFC 9110 §10.2.3).
    ...(fault.status === 503 ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
}

/** The same answer on a socket whose WebSocket upgrade failed (no ServerResponse exists for it). */
export function writeUpgradeFault(socket: net.Socket, fault: Fault, backend: BackendName, route: string | undefined): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: { code: fault.code, message: fault.message, backend, route: route ?? null } });
  socket.end(
    `HTTP/1.1 ${fault.status} ${fault.status === 504 ? 'Gateway Timeout' : fault.status === 503 ? 'Service Unavailable' : 'Bad Gateway'}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `x-strangler-error: ${fault.code}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
