import { z } from 'zod';
import { jsonPointer, pathPattern, percent, positiveInt, redisUrl } from './refinements.js';

/** Per-route rules for comparing the two backends' answers, and the bounds of mirroring. */
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

export const diffStoreSchema = z
  .strictObject({
    store: z.enum(['file', 'memory', 'redis']).default('file'),
    path: z.string().min(1).default('./.strangler/diffs.jsonl'),
    /** store: redis — the Redis every replica appends to (one stream, read whole by the report). */
    url: redisUrl.optional(),
    /** store: redis — the stream's key. */
    key: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'a key uses letters, digits and . _ : - only').default('strangler:diffs'),
    /** store: redis — records the stream keeps, about (Redis trims the oldest). */
    maxLen: positiveInt('1000000').default(1_000_000),
    /** Rotate the JSONL file past this size. */
    maxFileBytes: positiveInt('67108864').default(64 * 1024 * 1024),
    /** Rotated files kept (FILE.1 … FILE.N) besides the current one; older ones are deleted. */
    maxFiles: z.number().int().min(0).max(1000).default(5),
    /** Field names whose values are masked before a diff is stored. */
    redact: z.array(z.string()).default([]),
    /**
     * A mismatched pair keeps both whole answers (headers, bodies) for the console's pair view: each
     * body up to this many bytes (longer ones cut, and marked so); 0 keeps none. Matched pairs keep none.
     */
    keepBodyBytes: z.number().int().min(0).max(16 * 1024 * 1024).default(64 * 1024),
  })
  .superRefine((d, ctx) => {
    if (d.store === 'redis' && d.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'store: redis needs the url of Redis', params: { code: 'STRANGLER_E_CONFIG_URL', example: 'redis://redis:6379' } });
    }
  })
  .default({ store: 'file', path: './.strangler/diffs.jsonl', key: 'strangler:diffs', maxLen: 1_000_000, maxFileBytes: 64 * 1024 * 1024, maxFiles: 5, redact: [], keepBodyBytes: 64 * 1024 });

export const shadowSchema = z
  .strictObject({
    /** Mirrored calls in flight at once; beyond it they are dropped and counted. */
    maxConcurrency: positiveInt('64').default(64),
    /** Bodies larger than this are not compared (the skip is counted). */
    maxBodyBytes: positiveInt('1048576').default(1024 * 1024),
    /** % of mirrored requests for which legacy is asked twice, to learn noise (after the warm-up). */
    noiseSample: percent.default(5),
    /**
     * Legacy is asked twice for the first this-many mirrored requests of each route and request path
     * template (per proxy process), then at noiseSample %: learning does not depend on luck.
     */
    noiseWarmup: z.number().int().min(0).max(1000).default(10),
    /**
     * Per route name: path patterns (route syntax: literals, :param, a trailing *) never mirrored nor
     * asked twice, for GETs that write (an editor page that creates a draft on each load).
     */
    exclude: z.record(z.string(), z.array(pathPattern)).default({}),
    /**
     * The nice value (0 normal … 19 lowest) of the shadow worker thread on Linux, where it is
     * per thread: mirroring takes the CPU the user's requests leave, instead of competing with them.
     */
    workerNice: z.number().int().min(0).max(19).default(19),
    /**
     * On Linux, also puts the shadow worker thread in the SCHED_IDLE class (with util-linux's
     * `chrt`): it then runs only on CPU time no other thread wants, and a user request's thread
     * that wakes up takes the CPU from it at once, which a nice value alone does not promise.
     */
    workerIdle: z.boolean().default(true),
  })
  .default({ maxConcurrency: 64, maxBodyBytes: 1024 * 1024, noiseSample: 5, noiseWarmup: 10, exclude: {}, workerNice: 19, workerIdle: true });

export type DiffRules = z.output<typeof diffRules>;
/** Each route's diff rules, by route name (a route left out compares with the defaults). */
export type DiffRulesByRoute = Readonly<Record<string, DiffRules>>;
export type DiffStoreConfig = z.output<typeof diffStoreSchema>;
export type ShadowConfig = z.output<typeof shadowSchema>;
