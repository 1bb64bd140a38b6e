import type { RouteConfig } from '../config/proxy-schema.js';
import type { Dial } from './dials.js';
import { parsePathPattern, type Segment } from '../config/path-pattern.js';
import { routeSeed } from './sticky.js';

/** A route as the hot path sees it: precompiled, with its current dial (swapped on every change). */
export interface CompiledRoute {
  readonly name: string;
  /** The route's group name (or its own) hashed once, the seed of its sticky buckets. */
  readonly seed: number;
  readonly config: RouteConfig;
  dial: Dial;
  /** Upper-case methods, or undefined for any method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** Literal segments lower-cased when the route matches without regard to case. */
  readonly segments: readonly Segment[];
  readonly caseInsensitive: boolean;
  /** A path with or without a trailing slash matches. */
  readonly eitherSlash: boolean;
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
    seed: routeSeed(route.group ?? route.name),
    config: route,
    dial,
    methods: list.includes('*') ? undefined : new Set(list.flatMap((x) => (x === 'GET' ? ['GET', 'HEAD'] : [x]))),
    segments: route.match.caseInsensitive ? parsed.segments.map((g) => (g.kind === 'literal' ? { kind: 'literal', value: g.value.toLowerCase() } : g)) : parsed.segments,
    caseInsensitive: route.match.caseInsensitive,
    eitherSlash: route.match.trailingSlash === 'either',
    host: route.match.host?.toLowerCase(),
    headers: Object.entries(route.match.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const),
  };
}

/**
 * Whether a normalised path matches, read in place: the same answer as comparing the segments with
 * path.slice(1).split("/") ("/" has no parts; a trailing slash is a last, empty part), without
 * allocating the parts on every request.
 */
function pathMatches(r: CompiledRoute, path: string): boolean {
  const segments = r.segments;
  let n = segments.length;
  // `either`: a pattern's own trailing slash (a last empty literal) is optional, and so is the path's.
  if (r.eitherSlash && n > 0) {
    const last = segments[n - 1]!;
    if (last.kind === 'literal' && last.value === '') n--;
  }
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
      if (end - pos !== s.value.length) return false;
      if (r.caseInsensitive ? path.slice(pos, end).toLowerCase() !== s.value : !path.startsWith(s.value, pos)) return false;
    } else if (end === pos) return false;
    pos = slash === -1 ? -1 : slash + 1;
  }
  return pos === -1 || (r.eitherSlash && pos === len);
}

function hostMatches(pattern: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const colon = header.lastIndexOf(':');
  const host = (colon > header.lastIndexOf(']') ? header.slice(0, colon) : header).toLowerCase();
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/** Route references the two-level index may hold in all. */
const MAX_INDEX_ENTRIES = 100_000;

/** Whether a route may match a path whose part at `i` is `part` (undefined: some text no route has there). */
function admits(r: CompiledRoute, i: number, part: string | undefined): boolean {
  const s = r.segments[i];
  // A case-insensitive route is in every list: the index keys are the path's parts as sent.
  return s === undefined || s.kind !== 'literal' || r.caseInsensitive || s.value === part;
}

/** Literal segments at position i, over the routes. */
function literalsAt(routes: readonly CompiledRoute[], i: number): Set<string> {
  const out = new Set<string>();
  for (const r of routes) {
    const s = r.segments[i];
    if (s?.kind === 'literal' && !r.caseInsensitive) out.add(s.value);
  }
  return out;
}

/**
 * Compiles routes (in config order, first match wins) into a table. Routes are indexed by the first
 * two parts of the path so that a request only looks at the routes that could match it.
 */
export function compileRouteTable(routes: readonly RouteConfig[], dialFor: (route: RouteConfig) => Dial): RouteTable {
  const compiled = routes.map((r) => compile(r, dialFor(r)));
  const names = new Map(compiled.map((r) => [r.name, r]));
  // Candidates by the path's first two parts (what APIs share: /api/users, /api/orders), each list
  // in config order: a route is left out only when one of its first two segments is a literal the
  // part is not. A part that is no route's literal there stands as `undefined` (the map's "other"), so
  // the index holds one list per pair of literals, whatever the paths asked for.
  const byPair = new Map<string | undefined, Map<string | undefined, CompiledRoute[]>>();
  let size = 0;
  for (const a of [...literalsAt(compiled, 0), undefined]) {
    const level = compiled.filter((r) => admits(r, 0, a));
    // Second parts only where the pairs stay few (a table of thousands of unrelated literals would
    // otherwise hold a list per pair): past the bound, the first part alone narrows.
    const seconds = literalsAt(level, 1);
    const bySecond = size + seconds.size * level.length <= MAX_INDEX_ENTRIES;
    const inner = new Map<string | undefined, CompiledRoute[]>([[undefined, bySecond ? level.filter((r) => admits(r, 1, undefined)) : level]]);
    if (bySecond) {
      for (const b of seconds) inner.set(b, level.filter((r) => admits(r, 1, b)));
      size += seconds.size * level.length;
    }
    byPair.set(a, inner);
  }
  const other = byPair.get(undefined)!;
  return {
    routes: compiled,
    byName: (name) => names.get(name),
    match(method, path, headers) {
      // The first two parts of the path (""-free: the normalised path has no empty segments but a trailing one).
      const s1 = path.indexOf('/', 1);
      const p1 = s1 === -1 ? path.slice(1) : path.slice(1, s1);
      const s2 = s1 === -1 ? -1 : path.indexOf('/', s1 + 1);
      const p2 = s1 === -1 ? undefined : s2 === -1 ? path.slice(s1 + 1) : path.slice(s1 + 1, s2);
      const inner = byPair.get(p1) ?? other;
      const candidates = (p2 === undefined ? undefined : inner.get(p2)) ?? inner.get(undefined)!;
      for (const r of candidates) {
        if (pathMatches(r, path) && accepts(r, method, headers)) return r;
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
