import type http from 'node:http';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { diffRulesOf, type BackendName, type ProxyConfig } from '../config/proxy-schema.js';
import { StranglerError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { dialOf, type Dial, type DialPatch } from './dials.js';
import { appendSetCookie, assignSetCookie, visitorId } from './assign-cookie.js';
import { faultOf, writeFault, writeUpgradeFault } from './fault.js';
import { stripResponseHopByHop, writeResponseHead, type BackendForwarder } from './forwarder.js';
import { buildGeneration, type Generation } from './generation.js';
import { ProxyMetrics, UNMATCHED, type RouteStats } from './metrics.js';
import { replayable } from './replay.js';
import { canonicaliseRequest, writeRejection, writeUpgradeRejection } from './request-target.js';
import type { CompiledRoute } from './route-table.js';
import { routeView, type RouteView } from './route-view.js';
import type { ShadowSink } from './shadow-contract.js';
import { ShadowMirror, type MirrorJob, type Mirroring } from './shadow/mirror.js';
import { WorkerShadowMirror, type ShadowWorkerSpec } from './shadow/worker-mirror.js';
import type { DialChange, RampState, StateHealth, StateSnapshot, StateStore } from './state/contract.js';
import { bucketOf, onNew, randomBucket } from './sticky.js';

export type { RouteView } from './route-view.js';

/** One request on its way through the proxy. */
interface Exchange {
  readonly owner: StranglerProxy;
  readonly res: http.ServerResponse;
  readonly route: CompiledRoute | undefined;
  readonly stats: RouteStats;
  readonly gen: Generation;
  readonly start: number;
  backend: BackendName;
  /** Bumped on a fallback, so that late events of the abandoned attempt are ignored. */
  attempt: number;
  /** The new service's answer is held back until we know it is not a failure to fall back from. */
  held: boolean;
  outgoing: http.ClientRequest | undefined;
  /** The backend response being relayed. */
  response: http.IncomingMessage | undefined;
  recorded: boolean;
  /** Sent again once after a stale keep-alive connection was reset under it. */
  retried: boolean;
  /** The request body, read whole so that it can be sent twice (a replayable PUT/DELETE, see replay.ts). */
  body: Buffer | undefined;
  /** Set when this request is mirrored: it receives the primary answer as it streams. */
  shadow: MirrorJob | undefined;
  /** The visitor id given to a request without an identity (stickiness.assign), set as a cookie on the answer. */
  assigned: string | undefined;
}

const EXCHANGE = Symbol('strangler.exchange');
type Tagged = http.ServerResponse & { [EXCHANGE]?: Exchange };
type TaggedResponse = http.IncomingMessage & { [EXCHANGE]?: Exchange };

// Listeners shared by every request (no closure per request): the exchange rides on the stream.
function onClientClose(this: Tagged): void {
  const x = this[EXCHANGE];
  if (x !== undefined) x.owner.closed(x, this);
}

function onBackendClose(this: TaggedResponse): void {
  const x = this[EXCHANGE];
  if (x !== undefined) x.owner.responseClosed(x, this, x.res);
}

// The response body's relay to the client, with backpressure: what proxyRes.pipe(res) does for this
// case, with three shared listeners where pipe() adds and later removes eight (data, end, drain,
// unpipe, error, close, finish, prefinish) per response (in a CPU profile of the proxy bench, pipe()
// and that listener bookkeeping were 1–2% of the proxy's samples). Closes and errors are the
// exchange's own listeners' (onBackendClose, onClientClose).
function relayData(this: TaggedResponse, chunk: Buffer): void {
  const res = this[EXCHANGE]!.res;
  if (!res.write(chunk) && !res.destroyed) {
    this.pause();
    res.once('drain', relayDrained);
  }
}

function relayDrained(this: Tagged): void {
  this[EXCHANGE]?.response?.resume();
}

function relayEnd(this: TaggedResponse): void {
  this[EXCHANGE]!.res.end();
}

export interface ProxyOptions {
  config: ProxyConfig;
  store: StateStore;
  metrics?: ProxyMetrics;
  logger?: Logger;
  /** Where mirrored pairs go (the diffs side); without one, shadow dials mirror nothing. */
  shadowSink?: ShadowSink;
  /**
   * Mirrors in a worker thread instead (the mirrored calls and the sink run there; see
   * shadow/worker-mirror.ts): what `proxy start` uses. Takes precedence over shadowSink.
   */
  shadowWorker?: ShadowWorkerSpec;
}

/**
 * The routing proxy without its listeners: handle() and upgrade() plug into any node:http server
 * (the app factory is separate from listen(), so tests run it on port 0). Routing is a compiled
 * table, dials are read from plain objects swapped on every state change, and counting is plain
 * arithmetic: nothing on the request path allocates more than the exchange record.
 */
export class StranglerProxy {
  readonly metrics: ProxyMetrics;
  private gen: Generation;
  private snapshot: StateSnapshot = { version: 0, dials: {} };
  private readonly unsubscribe: () => void;
  private readonly retired = new Set<BackendForwarder>();
  private readonly upgraded = new Set<net.Socket>();
  private readonly logger: Logger | undefined;
  private readonly store: StateStore;
  private readonly mirror: Mirroring | undefined;

  private constructor(options: ProxyOptions, snapshot: StateSnapshot) {
    this.metrics = options.metrics ?? new ProxyMetrics();
    this.logger = options.logger;
    this.store = options.store;
    this.snapshot = snapshot;
    this.gen = this.generation(options.config, undefined);
    this.metrics.stateVersion = snapshot.version;
    this.metrics.onDials(() => this.gen.table.routes.map((r) => ({ route: r.name, ...r.dial })));
    this.metrics.onStateHealth(() => this.stateHealth.reachable);
    this.unsubscribe = this.store.subscribe((s) => this.applySnapshot(s));
    const limits = () => this.gen.config.shadow;
    this.mirror = options.shadowWorker
      ? new WorkerShadowMirror(options.shadowWorker, limits, this.metrics.registry, this.logger)
      : options.shadowSink
        ? new ShadowMirror(options.shadowSink, limits)
        : undefined;
    if (!this.mirror && options.config.routes.some((r) => r.shadow > 0)) {
      this.logger?.warn('routes have shadow dials but no shadow sink is wired: nothing will be mirrored');
    }
  }

  /** Mirrored requests in flight (0 without a shadow sink). */
  get shadowActive(): number {
    return this.mirror?.active ?? 0;
  }

  static async create(options: ProxyOptions): Promise<StranglerProxy> {
    const snapshot = await options.store.load();
    return new StranglerProxy(options, snapshot);
  }

  get config(): ProxyConfig {
    return this.gen.config;
  }

  // ---- the request path ------------------------------------------------------------------

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
      backend: route ? this.choose(gen, route, req, rawUrl, assigned) : 'legacy',
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

  readonly upgrade = (req: http.IncomingMessage, socket: net.Socket, head: Buffer): void => {
    try {
      this.upgradeRoute(req, socket, head);
    } catch (err) {
      this.logger?.error({ err: err instanceof Error ? err.stack : String(err) }, 'internal error while proxying an upgrade');
      socket.destroy();
    }
  };

  private upgradeRoute(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const gen = this.gen;
    const path = canonicaliseRequest(req, gen.config.paths);
    if (typeof path !== 'string') return writeUpgradeRejection(socket, path);
    const rawUrl = req.url ?? '/';
    const route = gen.table.match(req.method ?? 'GET', path, req.headers);
    const backend = route ? this.choose(gen, route, req, rawUrl) : 'legacy';
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

  private choose(gen: Generation, route: CompiledRoute, req: http.IncomingMessage, rawUrl: string, assigned?: string): BackendName {
    const pct = route.dial.new;
    if (pct <= 0) return 'legacy';
    if (pct >= 100) return 'new';
    const key = assigned ?? gen.keyOf(req.headers, rawUrl);
    return onNew(pct, key === undefined ? randomBucket() : bucketOf(route.name, key, route.seed)) ? 'new' : 'legacy';
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

  // ---- dials -----------------------------------------------------------------------------

  private dialFor(name: string, fromConfig: Dial): Dial {
    return this.snapshot.dials[name] ?? fromConfig;
  }

  private applySnapshot(s: StateSnapshot): void {
    if (s.version < this.snapshot.version) return;
    this.snapshot = s;
    this.metrics.stateVersion = s.version;
    for (const r of this.gen.table.routes) r.dial = this.dialFor(r.name, dialOf(r.config));
    this.logger?.debug({ version: s.version }, 'dials updated');
  }

  private route(name: string): CompiledRoute {
    const r = this.gen.table.byName(name);
    if (!r) {
      throw new StranglerError('STRANGLER_E_ROUTE_UNKNOWN', `no route named "${name}"`, {
        hint: 'strangler routes list shows the names',
        details: { route: name },
      });
    }
    return r;
  }

  /** The compiled routes with their live dials (read by the pilot: guard and ramps). */
  compiledRoutes(): readonly CompiledRoute[] {
    return this.gen.table.routes;
  }

  /** The ramps in the state store, by the route or group they turn. */
  ramps(): Readonly<Record<string, RampState>> {
    return this.snapshot.ramps ?? {};
  }

  routes(): RouteView[] {
    return this.gen.table.routes.map((r) => routeView(r, this.snapshot.dials[r.name] !== undefined));
  }

  get stateVersion(): number {
    return this.snapshot.version;
  }

  /** Whether the dial store can be reached (a shared store may not be: the dials are then the last known). */
  get stateHealth(): StateHealth {
    return this.store.health?.() ?? { store: 'file', reachable: true };
  }

  /** Changes a route's dials; visible to the very next request once this resolves. */
  setDial(name: string, patch: DialPatch, who: string, reason?: string): Promise<DialChange> {
    const r = this.route(name);
    return this.store.update(name, dialOf(r.config), patch, who, reason);
  }

  /** The routes of a route group, in config order (empty when no route names it, or a route has that name). */
  groupMembers(group: string): CompiledRoute[] {
    if (this.gen.table.byName(group) !== undefined) return [];
    return this.gen.table.routes.filter((r) => r.config.group === group);
  }

  /** Turns every member of a route group in one audited change (one version). */
  setGroupDial(group: string, patch: DialPatch, who: string, reason?: string): Promise<DialChange[]> {
    const members = this.groupMembers(group);
    if (members.length === 0) this.route(group); // throws the catalogued "no route named"
    return this.store.updateMany(members.map((r) => ({ route: r.name, defaults: dialOf(r.config) })), patch, who, group, reason);
  }

  rollback(name: string, who: string): Promise<DialChange> {
    const r = this.route(name);
    return this.store.rollback(name, dialOf(r.config), who);
  }

  history(name: string, limit?: number): Promise<DialChange[]> {
    this.route(name);
    return this.store.history(name, limit);
  }

  // ---- config reload ---------------------------------------------------------------------

  private generation(config: ProxyConfig, previous: Generation | undefined): Generation {
    return buildGeneration(config, previous, { response: this.responded, end: this.ended }, (r) => this.dialFor(r.name, dialOf(r)));
  }

  /**
   * Swaps in a new (already validated) config: requests from now on use the new route table, and
   * pairs compared from now on the new diff rules; requests in flight finish on the old table, whose
   * backend connections close once they are done.
   */
  reload(config: ProxyConfig): void {
    const previous = this.gen;
    this.gen = this.generation(config, previous);
    this.mirror?.setRules(diffRulesOf(config));
    for (const name of ['legacy', 'new'] as const) {
      const old = previous.backends[name];
      if (old !== this.gen.backends[name]) {
        if (old.inflight <= 0) old.close();
        else this.retired.add(old);
      }
    }
  }

  // ---- stop ------------------------------------------------------------------------------

  /** Upgraded (WebSocket) connections, which a graceful stop must end itself. */
  get upgradedSockets(): ReadonlySet<net.Socket> {
    return this.upgraded;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const s of this.upgraded) s.destroy();
    for (const f of new Set([...Object.values(this.gen.backends), ...this.retired])) f.close();
    // Last: a worker's sink drains its queue before it ends.
    await this.mirror?.close();
  }
}
