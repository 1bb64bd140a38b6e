import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ShadowConfig } from '../config/diff-schema.js';
import type { ProxyConfig, RouteConfig } from '../config/proxy-schema.js';
import type { Logger } from '../core/logger.js';
import { chooseBackend } from './choose-backend.js';
import { appendSetCookie, assignSetCookie, visitorId } from './assign-cookie.js';
import type { Dial } from './dials.js';
import { EXCHANGE, onBackendClose, onClientClose, relayData, relayEnd, type Exchange, type ExchangeOwner, type Tagged, type TaggedResponse } from './exchange.js';
import { faultOf, writeFault } from './fault.js';
import { stripResponseHopByHop, writeResponseHead, type BackendForwarder } from './forwarder.js';
import { buildGeneration, type Generation } from './generation.js';
import { UNMATCHED, type ProxyMetrics } from './metrics.js';
import { replayable } from './replay.js';
import { canonicaliseRequest, writeRejection } from './request-target.js';
import type { CompiledRoute } from './route-table.js';
import type { Mirroring } from './shadow/mirror.js';

/**
 * The request path: handle() plugs into any node:http server (upgrades: upgrade-path.ts). Routing is a compiled
 * table (the current generation, swapped whole on a reload), dials are read from the compiled routes,
 * counting is plain arithmetic: nothing here allocates more than the exchange record per request.
 */
export class RequestPath implements ExchangeOwner {
  /** The config in force for requests from now on; a reload swaps it (reload.ts). */
  gen: Generation;
  /** Backends a reload replaced that still had requests in flight: closed by the last one's release. */
  readonly retired = new Set<BackendForwarder>();
  readonly mirror: Mirroring | undefined;
  private readonly metrics: ProxyMetrics;
  private readonly logger: Logger | undefined;
  private readonly liveDial: (route: RouteConfig) => Dial;

  /**
   * `liveDial` is a route's dial now (the state store's, else its config's); `mirrorOf` makes the
   * mirror (or none) once the first generation exists, since the mirror reads its limits from it.
   */
  constructor(
    config: ProxyConfig,
    liveDial: (route: RouteConfig) => Dial,
    metrics: ProxyMetrics,
    logger: Logger | undefined,
    mirrorOf: (limits: () => ShadowConfig) => Mirroring | undefined,
  ) {
    this.metrics = metrics;
    this.logger = logger;
    this.liveDial = liveDial;
    this.gen = this.generation(config, undefined);
    this.mirror = mirrorOf(() => this.gen.config.shadow);
  }

  /** Compiles a config for this path; backends whose settings did not change are kept from `previous`. */
  generation(config: ProxyConfig, previous: Generation | undefined): Generation {
    return buildGeneration(config, previous, { response: this.responded, end: this.ended }, this.liveDial);
  }

  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    try {
      this.dispatch(req, res);
    } catch (err) {
      this.internal(err, res);
    }
  };

  /** A bug of ours must cost one request, never the process. */
  private internal(err: unknown, res: http.ServerResponse): void {
    this.logger?.error({ err: err instanceof Error ? err.stack : String(err) }, 'internal error while proxying a request');
    if (res.headersSent) return void res.destroy();
    const body = JSON.stringify({ error: { code: 'STRANGLER_E_INTERNAL', message: 'internal proxy error' } });
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-strangler-error': 'STRANGLER_E_INTERNAL' });
    res.end(body);
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    // node:http already answered "100 Continue" to the client (or 417 to anything else); the
    // expectation is met, and forwarding it would make node write the backend request's head early.
    if (req.headers.expect !== undefined) delete req.headers.expect;
    const gen = this.gen;
    // One canonical target, both matched and forwarded (request-target.ts); a refused one gets a 400.
    const path = canonicaliseRequest(req, gen.config.paths);
    if (typeof path !== 'string') return writeRejection(res, path);
    const rawUrl = req.url ?? '/';
    const route = gen.table.match(req.method ?? 'GET', path, req.headers);
    // A visitor without an identity gets one on any matched route (whatever its dial today), so it
    // keeps its bucket once the dial moves.
    const assigned = route !== undefined && gen.assign !== undefined && gen.keyOf(req.headers, rawUrl) === undefined ? visitorId() : undefined;
    const x: Exchange = {
      owner: this,
      res,
      route,
      stats: this.metrics.route(route ? route.name : UNMATCHED),
      gen,
      start: performance.now(),
      backend: route ? chooseBackend(gen, route, req, rawUrl, assigned) : 'legacy',
      attempt: 0,
      held: false,
      outgoing: undefined,
      response: undefined,
      recorded: false,
      retried: false,
      body: undefined,
      shadow: undefined,
      assigned,
    };
    if (route !== undefined && route.dial.shadow > 0 && this.mirror !== undefined) {
      const other = x.backend === 'legacy' ? 'new' : 'legacy';
      x.shadow = this.mirror.begin(route, x.stats, req, x.backend, { name: other, config: gen.config.backends[other] }, { name: 'legacy', config: gen.config.backends.legacy });
    }
    (res as Tagged)[EXCHANGE] = x;
    res.on('close', onClientClose);
    this.forward(x, req, res);
  }

  private forward(x: Exchange, req: http.IncomingMessage, res: http.ServerResponse): void {
    const forwarder = x.gen.backends[x.backend];
    const attempt = x.attempt;
    const replay = x.backend === 'new' && x.route !== undefined && x.route.dial.fallback ? (x.body !== undefined ? 'buffer' : replayable(req, x.gen.config.fallback.maxBodyBytes)) : 'no';
    x.held = replay !== 'no';
    forwarder.inflight++;
    const onError = (err: Error) => this.failed(x, attempt, req, res, err);
    if (replay === 'buffer' && x.body === undefined) {
      // Read whole first (bounded by the declared length), so that legacy can be sent the same bytes.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.once('end', () => {
        x.body = Buffer.concat(chunks);
        if (attempt === x.attempt && !res.destroyed) x.outgoing = forwarder.web(req, res, onError, x.body);
      });
      return;
    }
    x.outgoing = forwarder.web(req, res, onError, x.body);
  }

  /** Whether the request can be sent once more: it has no body, or its body was read whole. */
  private canSendAgain(x: Exchange, req: http.IncomingMessage): boolean {
    return x.body !== undefined || replayable(req, 0) === 'empty';
  }

  /**
   * The 'proxyRes' hook: a backend's response head, before any of it reaches the client. The
   * forwarder leaves every response to us (see forwarder.ts): a held one may still fall back.
   */
  private readonly responded = (proxyRes: http.IncomingMessage, req: http.IncomingMessage, res: http.ServerResponse): void => {
    stripResponseHopByHop(proxyRes.headers);
    const x = (res as Tagged)[EXCHANGE];
    if (x === undefined) {
      // Not ours to decide on (cannot happen today): relay it as it is.
      writeResponseHead(req, res, proxyRes);
      return void proxyRes.pipe(res);
    }
    (proxyRes as TaggedResponse)[EXCHANGE] = x;
    proxyRes.on('close', onBackendClose);
    if (x.held) {
      const status = proxyRes.statusCode ?? 0;
      if (status >= 500 && !res.destroyed) {
        proxyRes.resume(); // drain it so that its socket goes back to the pool
        this.fallBack(x, req, res, '5xx');
        return;
      }
      x.held = false;
    }
    x.response = proxyRes;
    x.shadow?.primaryResponse(proxyRes);
    if (res.destroyed || res.headersSent) {
      // The client left, or an answer already went out (setHeader would throw in node's event).
      x.outgoing?.destroy();
      if (!res.destroyed) res.destroy();
      return;
    }
    if (x.assigned !== undefined) appendSetCookie(proxyRes.headers, assignSetCookie(x.gen.assign!, x.assigned, req));
    writeResponseHead(req, res, proxyRes);
    proxyRes.on('data', relayData);
    proxyRes.on('end', relayEnd);
  };

  /** The 'end' hook: a backend's response body ended. */
  private readonly ended = (_req: http.IncomingMessage, res: http.ServerResponse, proxyRes: http.IncomingMessage): void => {
    const x = (res as Tagged)[EXCHANGE];
    if (x === undefined || x.response !== proxyRes || x.recorded) return;
    x.recorded = true;
    x.stats.response(x.backend, proxyRes.statusCode ?? 0, (performance.now() - x.start) / 1000);
    x.shadow?.primaryEnd();
  };

  /** A backend response that stops before its end (the backend died mid-body) cuts the client's too. */
  /** @internal (called by onBackendClose) */
  responseClosed(x: Exchange, proxyRes: http.IncomingMessage, res: http.ServerResponse): void {
    if (proxyRes.complete || x.response !== proxyRes) return;
    x.shadow?.primaryFailed('STRANGLER_E_PROXY_RESET', false);
    if (!res.destroyed && !x.recorded) {
      x.recorded = true;
      x.stats.error(x.backend, 'STRANGLER_E_PROXY_RESET');
      this.logger?.warn({ route: x.route?.name ?? null, backend: x.backend, code: 'STRANGLER_E_PROXY_RESET' }, `the ${x.backend} backend closed the connection mid-response`);
    }
    res.destroy();
  }

  private failed(x: Exchange, attempt: number, req: http.IncomingMessage, res: http.ServerResponse, err: Error): void {
    if (attempt !== x.attempt || x.recorded) return;
    if (res.destroyed && !res.writableFinished) {
      // The client went away first; what the backend did next is no fault of it.
      x.outgoing?.destroy();
      return;
    }
    const forwarder = x.gen.backends[x.backend];
    const fault = faultOf(err, x.backend, false, forwarder.timeoutMs);
    if (fault.code === 'STRANGLER_E_PROXY_RESET' && x.outgoing?.reusedSocket === true && !x.retried && x.response === undefined && this.canSendAgain(x, req)) {
      // The keep-alive race: the backend closed an idle pooled connection just as this request was
      // sent on it. Nothing reached the backend's application; send it again on a fresh connection.
      x.retried = true;
      x.stats.retries++;
      this.release(x);
      x.attempt++;
      this.forward(x, req, res);
      return;
    }
    x.stats.error(x.backend, fault.code);
    if (x.held && x.response === undefined) {
      this.fallBack(x, req, res, fault.code === 'STRANGLER_E_PROXY_TIMEOUT' ? 'timeout' : fault.code === 'STRANGLER_E_PROXY_CONNECT' ? 'connect' : 'reset');
      return;
    }
    x.recorded = true;
    x.stats.response(x.backend, fault.status, (performance.now() - x.start) / 1000);
    x.shadow?.primaryFailed(fault.code, fault.code === 'STRANGLER_E_PROXY_TIMEOUT');
    this.logger?.warn({ route: x.route?.name ?? null, backend: x.backend, code: fault.code, cause: fault.cause, method: req.method }, fault.message);
    writeFault(res, fault, x.backend, x.route?.name);
  }

  private fallBack(x: Exchange, req: http.IncomingMessage, res: http.ServerResponse, reason: string): void {
    x.stats.fallback(reason);
    // The user's answer now comes from the backend the mirror went to: nothing left to compare.
    x.shadow?.abandon('backend-error');
    x.shadow = undefined;
    this.release(x);
    x.attempt++;
    x.backend = 'legacy';
    x.response = undefined;
    this.forward(x, req, res);
  }

  /** @internal (called by onClientClose) */
  closed(x: Exchange, res: http.ServerResponse): void {
    if (!res.writableFinished) {
      // The client left before the end (or the proxy cut it after a backend fault, already counted):
      // free the backend socket now, not when the backend is done.
      if (!x.recorded) x.stats.clientAborts++;
      x.outgoing?.destroy();
      x.shadow?.abandon('aborted');
    }
    this.release(x);
  }

  private release(x: Exchange): void {
    const forwarder = x.gen.backends[x.backend];
    forwarder.inflight--;
    if (x.outgoing !== undefined) forwarder.done(x.outgoing);
    if (forwarder.inflight <= 0 && this.retired.has(forwarder)) {
      this.retired.delete(forwarder);
      forwarder.close();
    }
  }
}
