/**
 * Which requests are mirrored, which are left alone and which ask legacy twice, shared by both
 * mirrors (mirror.ts in process, worker-mirror.ts on the main thread before the worker):
 * - the route's shadow % and safe methods only unless mirrorWrites (decide.ts);
 * - proxy.shadow.exclude: per route, path patterns never mirrored nor re-asked (GETs that write);
 * - noise learning that does not depend on luck: the first noiseWarmup mirrored requests of each route
 *   and request path template ask legacy twice, later ones at noiseSample %.
 * Bounded: past MAX_TEMPLATES (route, template) pairs, new ones are sampled at the rate only.
 */
import type http from 'node:http';
import type { ShadowConfig } from '../../config/diff-schema.js';
import { requestTemplate } from '../../core/path-template.js';
import { parsePathPattern, type Segment } from '../../config/path-pattern.js';
import { isSafe, shouldMirror } from './decide.js';

const MAX_TEMPLATES = 10_000;

type Compiled = Readonly<Record<string, readonly (readonly Segment[])[]>>;
const compiled = new WeakMap<ShadowConfig['exclude'], Compiled>();

function compile(exclude: ShadowConfig['exclude']): Compiled {
  let c = compiled.get(exclude);
  if (!c) {
    c = Object.fromEntries(Object.entries(exclude).map(([route, patterns]) => [route, patterns.flatMap((p) => {
      const r = parsePathPattern(p);
      return r.ok ? [r.segments] : [];
    })]));
    compiled.set(exclude, c);
  }
  return c;
}

/** A path (the query left out) matches a route-syntax pattern. */
export function patternMatches(segments: readonly Segment[], path: string): boolean {
  const q = path.indexOf('?');
  const parts = (q === -1 ? path : path.slice(0, q)).split('/').slice(1);
  if (parts.length === 1 && parts[0] === '') parts.length = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === 'wildcard') return true;
    const part = parts[i];
    if (part === undefined) return false;
    if (s.kind === 'literal') {
      let decoded: string;
      try {
        decoded = decodeURIComponent(part);
      } catch {
        return false;
      }
      if (decoded !== s.value) return false;
    } else if (part === '') return false;
  }
  return parts.length === segments.length;
}

/** The route's proxy.shadow.exclude patterns match this request path. */
export function isExcluded(limits: ShadowConfig, route: string, path: string): boolean {
  const patterns = compile(limits.exclude)[route];
  return patterns !== undefined && patterns.some((p) => patternMatches(p, path));
}

/** Counts the noise samples taken per route and template, for the warm-up. */
export class NoiseLearning {
  private readonly taken = new Map<string, number>();

  /**
   * Whether to ask legacy twice for this mirrored request. `draw` is in [0, 100); `pattern` is the
   * route's path pattern (a route without a wildcard is one template).
   */
  sample(limits: ShadowConfig, route: string, method: string, path: string, draw: number, pattern?: string): boolean {
    if (!isSafe(method)) return false;
    if (limits.noiseWarmup > 0) {
      const key = `${route}\n${requestTemplate(pattern, path)}`;
      const n = this.taken.get(key) ?? 0;
      if (n < limits.noiseWarmup && (n > 0 || this.taken.size < MAX_TEMPLATES)) {
        this.taken.set(key, n + 1);
        return true;
      }
    }
    return draw < limits.noiseSample;
  }
}

/** What a mirror reads of a route (a CompiledRoute has it). */
export interface MirrorRoute {
  name: string;
  dial: { shadow: number };
  config: { mirrorWrites: boolean; match?: { path: string } };
}

/** The two questions both mirrors ask of a request, in this order (each draws once). */
export class MirrorAdmission {
  private readonly learning = new NoiseLearning();

  constructor(
    private readonly limits: () => ShadowConfig,
    private readonly random: () => number,
  ) {}

  /**
   * The limits in force when this request is one to mirror (its route's shadow % drawn, its method,
   * proxy.shadow.exclude), else undefined. Whether there is room for it is the mirror's to judge.
   */
  admit(route: MirrorRoute, req: http.IncomingMessage): ShadowConfig | undefined {
    if (!shouldMirror(route.dial.shadow, req.method ?? 'GET', route.config.mirrorWrites, this.random() * 100)) return undefined;
    const limits = this.limits();
    return isExcluded(limits, route.name, req.url ?? '/') ? undefined : limits;
  }

  /** For an admitted request the mirror has room for: whether legacy is asked twice (a noise sample). */
  askTwice(limits: ShadowConfig, route: MirrorRoute, req: http.IncomingMessage): boolean {
    return this.learning.sample(limits, route.name, req.method ?? 'GET', req.url ?? '/', this.random() * 100, route.config.match?.path);
  }
}
