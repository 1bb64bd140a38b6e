import { StranglerError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RouteConfig } from '../config/proxy-schema.js';
import { dialOf, type Dial, type DialPatch } from './dials.js';
import type { ProxyMetrics } from './metrics.js';
import type { CompiledRoute, RouteTable } from './route-table.js';
import { routeView, type RouteView } from './route-view.js';
import type { DialChange, GuardMemory, RampState, StateHealth, StateSnapshot, StateStore } from './state/contract.js';

/**
 * The dials as the state store has them, applied to the compiled routes: every new snapshot (ours
 * or another process's) is written onto the routes of the current table, which the request path
 * reads; changes go to the store and come back as a snapshot.
 */
export class DialState {
  private snapshot: StateSnapshot;
  private unsubscribe: (() => void) | undefined;

  /** `table` is the route table in force now (a reload swaps it). */
  constructor(
    private readonly store: StateStore,
    snapshot: StateSnapshot,
    private readonly table: () => RouteTable,
    private readonly metrics: ProxyMetrics,
    private readonly logger: Logger | undefined,
  ) {
    this.snapshot = snapshot;
    metrics.stateVersion = snapshot.version;
  }

  /** A route's dial now: the store's, else its config's. */
  readonly liveDial = (route: RouteConfig): Dial => this.snapshot.dials[route.name] ?? dialOf(route);

  private apply(s: StateSnapshot): void {
    if (s.version < this.snapshot.version) return;
    this.snapshot = s;
    this.metrics.stateVersion = s.version;
    for (const r of this.table().routes) r.dial = this.liveDial(r.config);
    this.logger?.debug({ version: s.version }, 'dials updated');
  }

  /** Follows the store's snapshots from now on (once the route table exists). */
  follow(): void {
    this.unsubscribe ??= this.store.subscribe((s) => this.apply(s));
  }

  /** Stops following the store (a stop). */
  detach(): void {
    this.unsubscribe?.();
  }

  private route(name: string): CompiledRoute {
    const r = this.table().byName(name);
    if (!r) {
      throw new StranglerError('STRANGLER_E_ROUTE_UNKNOWN', `no route named "${name}"`, {
        hint: 'strangler routes list shows the names',
        details: { route: name },
      });
    }
    return r;
  }

  /** The ramps in the state store, by the route or group they turn. */
  ramps(): Readonly<Record<string, RampState>> {
    return this.snapshot.ramps ?? {};
  }

  /** The guard's memory in the state store, by route. */
  guardMemory(): Readonly<Record<string, GuardMemory>> {
    return this.snapshot.guard ?? {};
  }

  routes(): RouteView[] {
    return this.table().routes.map((r) => routeView(r, this.snapshot.dials[r.name] !== undefined));
  }

  get version(): number {
    return this.snapshot.version;
  }

  /** Whether the dial store can be reached (a shared store may not be: the dials are then the last known). */
  get health(): StateHealth {
    return this.store.health?.() ?? { store: 'file', reachable: true };
  }

  /** Changes a route's dials; visible to the very next request once this resolves. */
  setDial(name: string, patch: DialPatch, who: string, reason?: string): Promise<DialChange> {
    const r = this.route(name);
    return this.store.update(name, dialOf(r.config), patch, who, reason);
  }

  /** The routes of a route group, in config order (empty when no route names it, or a route has that name). */
  groupMembers(group: string): CompiledRoute[] {
    if (this.table().byName(group) !== undefined) return [];
    return this.table().routes.filter((r) => r.config.group === group);
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
}
