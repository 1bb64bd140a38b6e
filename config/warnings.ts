import type { ErrorCode } from '../core/errors.js';
import { parsePathPattern, type Segment } from './path-pattern.js';
import type { ProxyConfig, RouteConfig } from './proxy-schema.js';

/** A config that loads but is probably not what was meant: printed by `config check`, logged by `proxy start`. */
export interface ConfigWarning {
  code: ErrorCode;
  /** Dotted path inside the file, e.g. proxy.routes[3]. */
  path: string;
  message: string;
}

function methodsOf(r: RouteConfig): Set<string> | undefined {
  const list = Array.isArray(r.match.method) ? r.match.method : [r.match.method];
  return list.includes('*') ? undefined : new Set(list.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])));
}

/** Whether every path `later` matches is matched by `earlier` (segment by segment, as route-table.ts compares). */
function pathCovers(earlier: RouteConfig, a: readonly Segment[], later: RouteConfig, b: readonly Segment[]): boolean {
  // `later` matching other letter cases or trailing slashes than `earlier` does is not covered.
  if (later.match.caseInsensitive && !earlier.match.caseInsensitive) return false;
  if (later.match.trailingSlash === 'either' && earlier.match.trailingSlash !== 'either') return false;
  for (let i = 0; i < a.length; i++) {
    const s = a[i]!;
    if (s.kind === 'wildcard') return true;
    const t = b[i];
    if (t === undefined || t.kind === 'wildcard') return false;
    if (s.kind === 'param') {
      if (t.kind === 'literal' && t.value === '') return false; // a param needs a non-empty part
      continue;
    }
    if (t.kind !== 'literal') return false;
    if (earlier.match.caseInsensitive ? s.value.toLowerCase() !== t.value.toLowerCase() : s.value !== t.value) return false;
  }
  return a.length === b.length;
}

/** Whether `earlier` matches every request `later` would (so `later`, listed after it, never matches). */
export function routeCovers(earlier: RouteConfig, later: RouteConfig): boolean {
  const em = methodsOf(earlier);
  const lm = methodsOf(later);
  if (em !== undefined && (lm === undefined || [...lm].some((m) => !em.has(m)))) return false;
  const eh = earlier.match.host?.toLowerCase();
  if (eh !== undefined && eh !== later.match.host?.toLowerCase()) return false;
  for (const [k, v] of Object.entries(earlier.match.headers ?? {})) {
    const lv = Object.entries(later.match.headers ?? {}).find(([lk]) => lk.toLowerCase() === k.toLowerCase())?.[1];
    if (lv !== v) return false;
  }
  const a = parsePathPattern(earlier.match.path);
  const b = parsePathPattern(later.match.path);
  return a.ok && b.ok && pathCovers(earlier, a.segments, later, b.segments);
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** What a valid proxy config probably did not mean. Quadratic in the routes: config check and start only. */
export function proxyWarnings(proxy: ProxyConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const { host } = proxy.admin.listen;
  if (!LOOPBACK.test(host)) {
    out.push({
      code: 'STRANGLER_E_CONFIG_ADMIN_EXPOSED',
      path: 'proxy.admin.listen',
      message: `the admin API listens on ${host || 'every address'}, not on loopback: whoever reaches it with the token can move every dial`,
    });
  }
  proxy.routes.forEach((later, j) => {
    const i = proxy.routes.findIndex((earlier, k) => k < j && routeCovers(earlier, later));
    if (i === -1) return;
    const earlier = proxy.routes[i]!;
    const m = earlier.match.method;
    out.push({
      code: 'STRANGLER_E_CONFIG_UNREACHABLE_ROUTE',
      path: `proxy.routes[${j}]`,
      message: `route "${later.name}" can never match: routes[${i}] "${earlier.name}" (${Array.isArray(m) ? m.join(',') : m} ${earlier.match.path}) matches every request it would, and the first match wins`,
    });
  });
  return out;
}
