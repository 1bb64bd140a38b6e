import { z } from 'zod';
import { diffRules, diffStoreSchema, shadowSchema, type DiffRulesByRoute } from './diff-schema.js';
import { parseDurationMs } from './duration.js';
import { limitsSchema, pathsSchema, routeMatchExtras } from './front-door-schema.js';
import { httpUrl, issue, listen, pathPattern, percent, positiveInt, redisUrl } from './refinements.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const method = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum([...HTTP_METHODS, '*']));

const backend = z.strictObject({
  url: httpUrl,
  timeoutMs: positiveInt('5000').default(30_000),
  /** Send this Host header instead of passing the client's through (the default). */
  host: z.string().min(1).optional(),
  /** Upper bound on keep-alive sockets to this backend. */
  maxSockets: positiveInt('256').default(256),
  /**
   * How long a request may wait for one of the maxSockets connections (it counts toward timeoutMs,
   * which is its default and its bound); past it the answer is 503 with Retry-After.
   */
  poolWaitMs: positiveInt('5000').optional(),
});

/** Seconds, as a whole number or a duration text ("10s", "1m"), from 1 s to 5 min. */
const windowSeconds = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = typeof v === 'number' ? v : (parseDurationMs(v) ?? NaN) / 1000;
  if (!Number.isInteger(s) || s < 1 || s > 300) {
    issue(ctx, 'STRANGLER_E_CONFIG_RANGE', `expected whole seconds from 1 to 300 (a number, or "10s", "1m"), got ${JSON.stringify(v)}`, '10s');
    return z.NEVER;
  }
  return s;
});

/** Automatic rollback: the proxy watches the new service's answers on the route (proxy/guard/). */
const guard = z.strictObject({
  /** % of the new service's answers that may fail (5xx, timeout, reset) over the window. */
  maxErrorRate: percent.default(5),
  maxP95Ms: positiveInt('1000').default(1000),
  window: windowSeconds.default(10),
  minRequests: positiveInt('20').default(20),
});

const routeName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'a route name uses letters, digits and . _ : - only');

const route = z.strictObject({
  name: routeName,
  /** Routes of one group share their bucket seed (a user on new for one is on new for every member at that dial or above). */
  group: routeName.optional(),
  match: z.strictObject({
    method: z.union([method, z.array(method).min(1)]).default('*'),
    path: pathPattern,
    host: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    ...routeMatchExtras,
  }),
  /** % of traffic served by the new service, sticky per user. */
  new: percent.default(0),
  /** % of traffic mirrored to the other backend and diffed. */
  shadow: percent.default(0),
  /** An idempotent request the new service fails is answered by legacy. */
  fallback: z.boolean().default(true),
  /** Mirror POST/PUT/PATCH/DELETE too (only when the other backend's writes are harmless). */
  mirrorWrites: z.boolean().default(false),
  diff: diffRules.default(diffRules.parse({})),
  guard: guard.optional(),
  /** The latency budget the readiness gate holds the new service to (strangler ready). */
  slo: z
    .strictObject({
      p95Ms: positiveInt('500').default(500),
      /** The new service's p95 may be at most this many times legacy's. */
      vsLegacy: z.number().positive().default(1.25),
    })
    .default({ p95Ms: 500, vsLegacy: 1.25 }),
  /** The legacy tables the route reads or writes: the gate wants a clean, recent `migrate verify` of each. */
  tables: z.array(z.string().min(1)).optional(),
});

const stickiness = z
  .strictObject({
    header: z.string().min(1).transform((h) => h.toLowerCase()).optional(),
    cookie: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
    /** A request with no identity gets an opaque random id in this cookie, and is bucketed by it. */
    assign: z
      .strictObject({
        cookie: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a cookie name is an HTTP token (letters, digits, ! # $ % & \' * + . ^ _ ` | ~ -)'),
        maxAgeDays: z.number().positive().max(3650).default(365),
      })
      .optional(),
  })
  .default({ header: 'x-user-id' });

export const proxySchema = z
  .strictObject({
    listen: listen('0.0.0.0:8080').default({ host: '0.0.0.0', port: 8080 }),
    admin: z.strictObject({
      listen: listen('127.0.0.1:8081').default({ host: '127.0.0.1', port: 8081 }),
      token: z.string().min(16, 'the admin token must be at least 16 characters'),
    }),
    backends: z.strictObject({ legacy: backend, new: backend }),
    stickiness,
    paths: pathsSchema,
    limits: limitsSchema,
    routes: z.array(route).default([]),
    state: z
      .strictObject({
        store: z.enum(['file', 'memory', 'redis']).default('file'),
        path: z.string().min(1).default('./.strangler/routes.json'),
        /** store: redis — where Redis is (redis:// or rediss://, password through ${ENV}). */
        url: redisUrl.optional(),
        /** store: redis — prefix of the keys and channel, so several proxies fleets can share one Redis. */
        key: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'a key prefix uses letters, digits and . _ : - only').default('strangler'),
      })
      .superRefine((s, ctx) => {
        if (s.store === 'redis' && s.url === undefined) {
          ctx.addIssue({ code: 'custom', path: ['url'], message: 'store: redis needs the url of Redis', params: { code: 'STRANGLER_E_CONFIG_URL', example: 'redis://redis:6379' } });
        }
      })
      .default({ store: 'file', path: './.strangler/routes.json', key: 'strangler' }),
    diffs: diffStoreSchema,
    shadow: shadowSchema,
    fallback: z
      .strictObject({
        /**
         * A PUT or DELETE with a body up to this size (declared by Content-Length) is read whole before
         * it goes to the new service, so that legacy can be sent the same body if new fails it; 0: only
         * requests without a body fall back.
         */
        maxBodyBytes: z.number().int().min(0).default(1024 * 1024),
      })
      .default({ maxBodyBytes: 1024 * 1024 }),
  })
  .superRefine((proxy, ctx) => {
    const seen = new Map<string, number>();
    proxy.routes.forEach((r, i) => {
      const first = seen.get(r.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'name'],
          message: `route name "${r.name}" is already used by routes[${first}]`,
          params: { code: 'STRANGLER_E_CONFIG_DUPLICATE', example: `${r.name}.v2` },
        });
      } else seen.set(r.name, i);
    });
    proxy.routes.forEach((r, i) => {
      const clash = r.group === undefined ? undefined : seen.get(r.group);
      if (clash !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'group'],
          message: `group name "${r.group}" is the name of routes[${clash}]: \`routes set ${r.group}\` would be ambiguous`,
          params: { code: 'STRANGLER_E_CONFIG_DUPLICATE', example: `${r.group}.group` },
        });
      }
    });
    for (const name of Object.keys(proxy.shadow.exclude)) {
      if (seen.has(name)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['shadow', 'exclude', name],
        message: `no route is named "${name}"`,
        params: { code: 'STRANGLER_E_CONFIG_VALUE', example: `${proxy.routes[0]?.name ?? 'site'}: [/wp-admin/post-new.php]` },
      });
    }
  });

export type ProxyConfig = z.output<typeof proxySchema>;
export type RouteConfig = ProxyConfig['routes'][number];
export type BackendConfig = ProxyConfig['backends']['legacy'];
export type BackendName = 'legacy' | 'new';


/** Each route's diff rules, by route name: what the diff sink compares a route's pairs with. */
export function diffRulesOf(proxy: ProxyConfig): DiffRulesByRoute {
  return Object.fromEntries(proxy.routes.map((r) => [r.name, r.diff]));
}
