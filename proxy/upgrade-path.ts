import type http from 'node:http';
import type net from 'node:net';
import type { Logger } from '../core/logger.js';
import { chooseBackend } from './choose-backend.js';
import { faultOf, writeUpgradeFault } from './fault.js';
import type { Generation } from './generation.js';
import { UNMATCHED, type ProxyMetrics } from './metrics.js';
import { canonicaliseRequest, writeUpgradeRejection } from './request-target.js';

/**
 * The upgrade (WebSocket) path: upgrade() plugs into a node:http server's 'upgrade' event. Routed
 * like a request (same table, same sticky choice); the socket is then the backend's until it closes.
 */
export class UpgradePath {
  /** Upgraded connections, which a graceful stop must end itself. */
  readonly upgraded = new Set<net.Socket>();

  constructor(
    private readonly current: () => Generation,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger | undefined,
  ) {}

  readonly upgrade = (req: http.IncomingMessage, socket: net.Socket, head: Buffer): void => {
    try {
      this.route(req, socket, head);
    } catch (err) {
      this.logger?.error({ err: err instanceof Error ? err.stack : String(err) }, 'internal error while proxying an upgrade');
      socket.destroy();
    }
  };

  private route(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const gen = this.current();
    const path = canonicaliseRequest(req, gen.config.paths);
    if (typeof path !== 'string') return writeUpgradeRejection(socket, path);
    const rawUrl = req.url ?? '/';
    const route = gen.table.match(req.method ?? 'GET', path, req.headers);
    const backend = route ? chooseBackend(gen, route, req, rawUrl) : 'legacy';
    const stats = this.metrics.route(route ? route.name : UNMATCHED);
    const forwarder = gen.backends[backend];
    this.upgraded.add(socket);
    socket.on('close', () => this.upgraded.delete(socket));
    socket.on('error', () => undefined); // a client reset mid-stream is not the proxy's problem
    forwarder.ws(req, socket, head, (err) => {
      const fault = faultOf(err, backend, false, forwarder.timeoutMs);
      stats.error(backend, fault.code);
      this.logger?.warn({ route: route?.name, backend, code: fault.code, cause: fault.cause }, 'websocket upgrade failed');
      writeUpgradeFault(socket, fault, backend, route?.name);
    });
  }

  /** Ends every upgraded connection (a stop). */
  destroyAll(): void {
    for (const s of this.upgraded) s.destroy();
  }
}
