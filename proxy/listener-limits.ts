import type http from 'node:http';
import type net from 'node:net';
import type { LimitsConfig } from '../config/front-door-schema.js';
import type { ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * The public listener's timeouts and limits (proxy.limits): what a slow or idle client may hold.
 * node:http enforces the header and whole-request timeouts (headersTimeout, requestTimeout, checked
 * every connectionsCheckingInterval), the keep-alive idle timeout and the connection cap; the body's
 * pause timeout is the socket's inactivity timer, armed only while a request body is being read.
 */
export function serverOptions(limits: LimitsConfig): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    // node checks the two timeouts above on this interval (30 s by default, coarser than a short
    // timeout): a quarter of the shorter one keeps a cut within 25% of its configured time.
    connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
  };
}

function clientTimeoutBody(message: string): string {
  return JSON.stringify({ error: { code: 'STRANGLER_E_PROXY_CLIENT_TIMEOUT' satisfies ErrorCode, message } });
}

/** The response node:http is writing on a socket, if any (what its own clientError default checks). */
function currentResponse(socket: net.Socket): http.ServerResponse | undefined {
  return (socket as net.Socket & { _httpMessage?: http.ServerResponse })._httpMessage ?? undefined;
}

/** Installs the connection cap and the answers to malformed, slow and vanished clients. */
export function installLimits(server: http.Server, limits: LimitsConfig, logger: Logger | undefined): void {
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  server.on('drop', () => {
    // One warning per burst, not one per connection: a flood must not also flood the log.
    if (dropped++ === 0) {
      logger?.warn({ maxConnections: limits.maxConnections }, 'proxy.limits.maxConnections reached: new client connections are closed');
      setTimeout(() => (dropped = 0), 10_000).unref();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const res = currentResponse(socket);
    if (!socket.writable || err.code === 'ECONNRESET' || res?.headersSent) return void socket.destroy();
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Headers not complete within headersTimeoutMs, or the whole request not within requestTimeoutMs.
      const body = clientTimeoutBody(`the request did not arrive within ${res === undefined ? `${limits.headersTimeoutMs} ms (headers)` : `${limits.requestTimeoutMs} ms`}`);
      socket.end(
        `HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\nx-strangler-error: STRANGLER_E_PROXY_CLIENT_TIMEOUT\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    // A malformed request: answer 400 when still possible, never throw.
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
}

/**
 * Arms the body pause timeout for a request that has a body (no cost for one without): the socket's
 * inactivity timer runs while the body is read and is cleared once it has arrived. A request whose
 * body stops for bodyTimeoutMs is answered 408 (if nothing was answered yet) and its connection closed.
 */
export function watchBody(req: http.IncomingMessage, res: http.ServerResponse, bodyTimeoutMs: number): void {
  const h = req.headers;
  if (h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0')) return;
  const socket = req.socket;
  const onTimeout = () => {
    if (req.complete) return;
    if (res.headersSent || res.destroyed) return void socket.destroy();
    const body = clientTimeoutBody(`the request body paused for longer than ${bodyTimeoutMs} ms`);
    res.shouldKeepAlive = false;
    res.writeHead(408, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-strangler-error': 'STRANGLER_E_PROXY_CLIENT_TIMEOUT', connection: 'close' });
    res.end(body, () => socket.destroy());
  };
  req.on('timeout', onTimeout);
  socket.setTimeout(bodyTimeoutMs);
  req.once('end', () => {
    req.off('timeout', onTimeout);
    socket.setTimeout(0);
  });
}
