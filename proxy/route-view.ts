import type { Dial } from './dials.js';
import type { CompiledRoute } from './route-table.js';

/** A route as the admin API and the CLI show it. */
export interface RouteView {
  name: string;
  /** The route group it shares its buckets with. */
  group: string | undefined;
  methods: string[];
  path: string;
  host: string | undefined;
  headers: Record<string, string> | undefined;
  dial: Dial;
  /** Where the dial comes from: the config, or a runtime change (with its version). */
  source: 'config' | 'runtime';
  mirrorWrites: boolean;
}

export function routeView(r: CompiledRoute, changedAtRuntime: boolean): RouteView {
  const m = r.config.match.method;
  return {
    name: r.name,
    group: r.config.group,
    methods: Array.isArray(m) ? [...m] : [m],
    path: r.config.match.path,
    host: r.config.match.host,
    headers: r.config.match.headers ? { ...r.config.match.headers } : undefined,
    dial: { ...r.dial },
    source: changedAtRuntime ? 'runtime' : 'config',
    mirrorWrites: r.config.mirrorWrites,
  };
}
