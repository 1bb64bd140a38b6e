import type { RouteConfig } from '../config/proxy-schema.js';
import type { Dial } from './dials.js';
import { parsePathPattern, type Segment } from './path-pattern.js';
import { routeSeed } from './sticky.js';

/** A route as the hot path sees it: precompiled, with its current dial (swapped on every change). */
export interface CompiledRoute {
  readonly name: string;
  /** The route name hashed once, the seed of its sticky buckets. */
  readonly seed: number;
  readonly config: RouteConfig;
  dial: Dial;
  /** Upper-case methods, or undefined for any method. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly segments: readonly Segment[];
  readonly host: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
}

export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  byName(name: string): CompiledRoute | undefined;
  /** First route matching, or undefined (the request then goes to legacy). */
  match(method: string, path: string, headers: Readonly<Record<string, string | string[] | undefined>>): CompiledRoute | undefined;
}

function compile(route: RouteConfig, dial: Dial): CompiledRoute {
  const parsed = parsePathPattern(route.match.path);
  // The config schema already rejected bad patterns; this guards a table built from unchecked data.
  if (!parsed.ok) throw new Error(`route ${route.name}: invalid path pattern: ${parsed.reason}`);
  const m = route.match.method;
  const list = Array.isArray(m) ? m : [m];
  return {
    name: route.name,
    seed: routeSeed(route.name),
    config: route,
    dial,
    methods: list.includes('*') ? undefined : new Set(list.flatMap((x) => (x === 'GET' ? ['GET', 'HEAD'] : [x]))),
    segments: parsed.segments,
    host: route.match.host?.toLowerCase(),
    headers: Object.entries(route.match.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const),
  };
}

/**
 * Whether a normalised path matches, read in place: the same answer as comparing the segments with
 * path.slice(1).split("/") ("/" has no parts; a trailing slash is a last, empty part), without
 * allocating the parts on every request.
 */
function pathMatches(segments: readonly Segment[], path: string): boolean {
  const n = segments.length;
  const len = path.length;
  // Where the next part starts, or -1 once there are no parts left.
  let pos = path === '/' ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const s = segments[i]!;
    // A trailing wildcard takes the rest of the path, which may be nothing: /static/* matches /static.
    if (s.kind === 'wildcard') return true;
    if (pos === -1) return false;
    const slash = path.indexOf('/', pos);
    const end = slash === -1 ? len : slash;
    if (s.kind === 'literal') {
      if (end - pos !== s.value.length || !path.startsWith(s.value, pos)) return false;
    } else if (end === pos) return false;
    pos = slash === -1 ? -1 : slash + 1;
  }
  return pos === -1;
}

function hostMatches(pattern: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const colon = header.lastIndexOf(':');
  const host = (colon > header.lastIndexOf(']') ? header.slice(0, colon) : header).toLowerCase();
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/**
 * Compiles routes (in config order, first match wins) into a table. Routes are indexed by their
 * first literal segment so that a request only looks at the routes that could match it.
 */
export function compileRouteTable(routes: readonly RouteConfig[], dialFor: (route: RouteConfig) => Dial): RouteTable {
  const compiled = routes.map((r) => compile(r, dialFor(r)));
  const names = new Map(compiled.map((r) => [r.name, r]));
  const generic = compiled.filter((r) => r.segments[0]?.kind !== 'literal' || r.segments.length === 0);
  const byFirst = new Map<string, CompiledRoute[]>();
  for (const r of compiled) {
    const first = r.segments[0];
    if (first?.kind === 'literal' && !byFirst.has(first.value)) {
      byFirst.set(
        first.value,
        compiled.filter((c) => c.segments.length === 0 || c.segments[0]!.kind !== 'literal' || (c.segments[0] as { value: string }).value === first.value),
      );
    }
  }
  return {
    routes: compiled,
    byName: (name) => names.get(name),
    match(method, path, headers) {
      let candidates = generic;
      if (path !== '/') {
        const slash = path.indexOf('/', 1);
        candidates = byFirst.get(slash === -1 ? path.slice(1) : path.slice(1, slash)) ?? generic;
      }
      for (const r of candidates) {
        if (pathMatches(r.segments, path) && accepts(r, method, headers)) return r;
      }
      return undefined;
    },
  };
}

function accepts(r: CompiledRoute, method: string, headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  if (r.methods !== undefined && !r.methods.has(method)) return false;
  if (r.host !== undefined && !hostMatches(r.host, headers.host)) return false;
  for (const [k, v] of r.headers) if (headers[k] !== v) return false;
  return true;
}
