import { z } from 'zod';
import { httpUrl, issue, jsonPointer, listen, pathPattern, percent, positiveInt } from './refinements.js';

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
});

const normalise = z.strictObject({
  /** "42" (PHP from MySQL) equals 42. */
  numericStrings: z.boolean().default(true),
  /** [] (PHP's empty array) equals {}. */
  emptyArrayObject: z.boolean().default(true),
  /** A null value equals a missing key. */
  nullMissing: z.boolean().default(true),
});

export const diffRules = z.strictObject({
  /** JSON Pointers (with * for any key or index) whose differences are ignored. */
  ignore: z.array(jsonPointer).default([]),
  /** Arrays compared as multisets. */
  unorderedArrays: z.array(jsonPointer).default([]),
  /** Arrays whose items are matched by a key property: { "/friends": "id" }. */
  arrayKeys: z.record(z.string(), z.string().min(1)).default({}),
  /** Numbers whose relative difference is within this are equal. */
  numberTolerance: z.number().min(0).max(1).default(0),
  /** Response headers compared (lower-case). */
  headers: z.array(z.string().transform((h) => h.toLowerCase())).default(['content-type']),
  normalise: normalise.default({ numericStrings: true, emptyArrayObject: true, nullMissing: true }),
});

const route = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'a route name uses letters, digits and . _ : - only'),
  match: z.strictObject({
    method: z.union([method, z.array(method).min(1)]).default('*'),
    path: pathPattern,
    host: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).optional(),
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
});

const stickiness = z
  .strictObject({
    header: z.string().min(1).transform((h) => h.toLowerCase()).optional(),
    cookie: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
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
    routes: z.array(route).default([]),
    state: z
      .strictObject({
        store: z.enum(['file', 'memory']).default('file'),
        path: z.string().min(1).default('./.strangler/routes.json'),
      })
      .default({ store: 'file', path: './.strangler/routes.json' }),
    diffs: z
      .strictObject({
        store: z.enum(['file', 'memory']).default('file'),
        path: z.string().min(1).default('./.strangler/diffs.jsonl'),
        /** Rotate the JSONL file past this size. */
        maxFileBytes: positiveInt('67108864').default(64 * 1024 * 1024),
        /** Field names whose values are masked before a diff is stored. */
        redact: z.array(z.string()).default([]),
      })
      .default({ store: 'file', path: './.strangler/diffs.jsonl', maxFileBytes: 64 * 1024 * 1024, redact: [] }),
    shadow: z
      .strictObject({
        /** Mirrored calls in flight at once; beyond it they are dropped and counted. */
        maxConcurrency: positiveInt('64').default(64),
        /** Bodies larger than this are not compared (the skip is counted). */
        maxBodyBytes: positiveInt('1048576').default(1024 * 1024),
        /** % of mirrored requests for which legacy is asked twice, to learn noise. */
        noiseSample: percent.default(5),
      })
      .default({ maxConcurrency: 64, maxBodyBytes: 1024 * 1024, noiseSample: 5 }),
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
  });

export type ProxyConfig = z.output<typeof proxySchema>;
export type RouteConfig = ProxyConfig['routes'][number];
export type BackendConfig = ProxyConfig['backends']['legacy'];
export type DiffRules = z.output<typeof diffRules>;
export type BackendName = 'legacy' | 'new';

void issue;
