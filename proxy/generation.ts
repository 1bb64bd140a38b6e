import type { BackendName, ProxyConfig, RouteConfig } from '../config/proxy-schema.js';
import { assignCookieOf, type AssignCookie } from './assign-cookie.js';
import type { Dial } from './dials.js';
import { BackendForwarder, type ForwardHooks } from './forwarder.js';
import { compileRouteTable, type RouteTable } from './route-table.js';
import { keyExtractor, type KeyExtractor } from './user-key.js';

/** Everything that changes together on a config reload; in-flight requests keep the one they began with. */
export interface Generation {
  readonly config: ProxyConfig;
  readonly table: RouteTable;
  readonly keyOf: KeyExtractor;
  /** Set when visitors without an identity are given one (proxy.stickiness.assign). */
  readonly assign: AssignCookie | undefined;
  readonly backends: Record<BackendName, BackendForwarder>;
}

function sameBackend(a: ProxyConfig['backends']['legacy'], b: ProxyConfig['backends']['legacy']): boolean {
  return a.url === b.url && a.timeoutMs === b.timeoutMs && a.host === b.host && a.maxSockets === b.maxSockets && a.poolWaitMs === b.poolWaitMs;
}

/** Compiles a config into what the request path uses; backends whose settings did not change are kept. */
export function buildGeneration(config: ProxyConfig, previous: Generation | undefined, hooks: ForwardHooks, dialFor: (route: RouteConfig) => Dial): Generation {
  const backend = (name: BackendName) =>
    previous && sameBackend(previous.config.backends[name], config.backends[name]) ? previous.backends[name] : new BackendForwarder(name, config.backends[name], hooks);
  return {
    config,
    table: compileRouteTable(config.routes, dialFor),
    keyOf: keyExtractor(config.stickiness),
    assign: assignCookieOf(config.stickiness),
    backends: { legacy: backend('legacy'), new: backend('new') },
  };
}
