import type http from 'node:http';
import type net from 'node:net';
import type { ProxyConfig } from '../config/proxy-schema.js';
import type { Logger } from '../core/logger.js';
import { DialState } from './dial-state.js';
import type { DialPatch } from './dials.js';
import { ProxyMetrics } from './metrics.js';
import { reloadConfig } from './reload.js';
import { RequestPath } from './request-path.js';
import type { CompiledRoute } from './route-table.js';
import type { RouteView } from './route-view.js';
import type { ShadowSink } from './shadow-contract.js';
import { ShadowMirror } from './shadow/mirror.js';
import { WorkerShadowMirror, type ShadowWorkerSpec } from './shadow/worker-mirror.js';
import type { DialChange, GuardMemory, RampState, StateHealth, StateSnapshot, StateStore } from './state/contract.js';
import { UpgradePath } from './upgrade-path.js';

export type { RouteView } from './route-view.js';

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
 * (the app factory is separate from listen(), so tests run it on port 0). It puts together the
 * request path (request-path.ts, upgrade-path.ts), the dials from the state store (dial-state.ts)
 * and a config reload (reload.ts); what is here is its start, its stop and what the admin API,
 * the pilot and the console ask of it.
 */
export class StranglerProxy {
  readonly metrics: ProxyMetrics;
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  readonly upgrade: (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void;
  private readonly path: RequestPath;
  private readonly upgrades: UpgradePath;
  private readonly dials: DialState;

  private constructor(options: ProxyOptions, snapshot: StateSnapshot) {
    const metrics = (this.metrics = options.metrics ?? new ProxyMetrics());
    const logger = options.logger;
    const dials = (this.dials = new DialState(options.store, snapshot, () => this.path.gen.table, metrics, logger));
    this.path = new RequestPath(options.config, dials.liveDial, metrics, logger, (limits) =>
      options.shadowWorker
        ? new WorkerShadowMirror(options.shadowWorker, limits, metrics.registry, logger)
        : options.shadowSink
          ? new ShadowMirror(options.shadowSink, limits)
          : undefined,
    );
    this.upgrades = new UpgradePath(() => this.path.gen, metrics, logger);
    this.handle = this.path.handle;
    this.upgrade = this.upgrades.upgrade;
    metrics.onDials(() => this.path.gen.table.routes.map((r) => ({ route: r.name, ...r.dial })));
    metrics.onStateHealth(() => this.stateHealth.reachable);
    dials.follow();
    if (!this.path.mirror && options.config.routes.some((r) => r.shadow > 0)) {
      logger?.warn('routes have shadow dials but no shadow sink is wired: nothing will be mirrored');
    }
  }

  static async create(options: ProxyOptions): Promise<StranglerProxy> {
    const snapshot = await options.store.load();
    return new StranglerProxy(options, snapshot);
  }

  get config(): ProxyConfig {
    return this.path.gen.config;
  }

  /** Mirrored requests in flight (0 without a shadow sink). */
  get shadowActive(): number {
    return this.path.mirror?.active ?? 0;
  }

  // ---- dials (dial-state.ts) ---------------------------------------------------------------

  /** The compiled routes with their live dials (read by the pilot: guard and ramps). */
  compiledRoutes(): readonly CompiledRoute[] {
    return this.path.gen.table.routes;
  }

  /** The ramps in the state store, by the route or group they turn. */
  ramps(): Readonly<Record<string, RampState>> {
    return this.dials.ramps();
  }

  /** The guard's memory in the state store (the dials found healthy), by route. */
  guardMemory(): Readonly<Record<string, GuardMemory>> {
    return this.dials.guardMemory();
  }

  routes(): RouteView[] {
    return this.dials.routes();
  }

  get stateVersion(): number {
    return this.dials.version;
  }

  /** Whether the dial store can be reached (a shared store may not be: the dials are then the last known). */
  get stateHealth(): StateHealth {
    return this.dials.health;
  }

  /** Changes a route's dials; visible to the very next request once this resolves. */
  setDial(name: string, patch: DialPatch, who: string, reason?: string): Promise<DialChange> {
    return this.dials.setDial(name, patch, who, reason);
  }

  /** The routes of a route group, in config order (empty when no route names it, or a route has that name). */
  groupMembers(group: string): CompiledRoute[] {
    return this.dials.groupMembers(group);
  }

  /** Turns every member of a route group in one audited change (one version). */
  setGroupDial(group: string, patch: DialPatch, who: string, reason?: string): Promise<DialChange[]> {
    return this.dials.setGroupDial(group, patch, who, reason);
  }

  rollback(name: string, who: string): Promise<DialChange> {
    return this.dials.rollback(name, who);
  }

  history(name: string, limit?: number): Promise<DialChange[]> {
    return this.dials.history(name, limit);
  }

  // ---- config reload (reload.ts) -----------------------------------------------------------

  /** Swaps in a new (already validated) config; requests in flight finish on the old one. */
  reload(config: ProxyConfig): void {
    reloadConfig(this.path, config);
  }

  // ---- stop --------------------------------------------------------------------------------

  /** Upgraded (WebSocket) connections, which a graceful stop must end itself. */
  get upgradedSockets(): ReadonlySet<net.Socket> {
    return this.upgrades.upgraded;
  }

  async close(): Promise<void> {
    this.dials.detach();
    this.upgrades.destroyAll();
    for (const f of new Set([...Object.values(this.path.gen.backends), ...this.path.retired])) f.close();
    // Last: a worker's sink drains its queue before it ends.
    await this.path.mirror?.close();
  }
}
