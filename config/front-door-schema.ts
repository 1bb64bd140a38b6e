import { z } from 'zod';
import { positiveInt } from './refinements.js';

/** How the canonical request target treats what Envoy's path options cover (proxy/normalise-path.ts). */
export const pathsSchema = z
  .strictObject({
    /** `%2F`, `%5C` and a raw `\` in a path: refused with a 400, kept inside their segment, or turned into `/`. */
    escapedSlashes: z.enum(['reject', 'keep', 'unescape']).default('reject'),
  })
  .default({ escapedSlashes: 'reject' });

export const LIMIT_DEFAULTS = {
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  idleTimeoutMs: 300_000,
  maxConnections: 10_000,
} as const;

/**
 * The public listener's timeouts and limits (nginx's client_header_timeout / client_body_timeout /
 * keepalive_timeout and Envoy's request_timeout / max connections): what a slow or idle client may hold.
 */
export const limitsSchema = z
  .strictObject({
    /** The request line and headers must arrive within this (a connection that sends nothing included). */
    headersTimeoutMs: positiveInt('60000').default(LIMIT_DEFAULTS.headersTimeoutMs),
    /** A request body may pause at most this long between two reads. */
    bodyTimeoutMs: positiveInt('60000').default(LIMIT_DEFAULTS.bodyTimeoutMs),
    /** The whole request, headers and body, must arrive within this (a body trickling in is cut). */
    requestTimeoutMs: positiveInt('300000').default(LIMIT_DEFAULTS.requestTimeoutMs),
    /** A keep-alive connection idle after its last response is closed after this. */
    idleTimeoutMs: positiveInt('300000').default(LIMIT_DEFAULTS.idleTimeoutMs),
    /** Client connections open at once; beyond it new ones are closed at once. */
    maxConnections: positiveInt('10000').default(LIMIT_DEFAULTS.maxConnections),
  })
  .default(LIMIT_DEFAULTS)
  .superRefine((l, ctx) => {
    if (l.headersTimeoutMs > l.requestTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['headersTimeoutMs'],
        message: `headersTimeoutMs (${l.headersTimeoutMs}) must not exceed requestTimeoutMs (${l.requestTimeoutMs}): the headers are part of the request`,
        params: { code: 'STRANGLER_E_CONFIG_RANGE', example: String(Math.min(60_000, l.requestTimeoutMs)) },
      });
    }
  });

/** Per route: what else counts as the same endpoint, as the backend framework sees it. */
export const routeMatchExtras = {
  /** Literal segments compare without regard to letter case (`/API/Users/7` is `/api/users/7`). */
  caseInsensitive: z.boolean().default(false),
  /** `either`: a path with or without a trailing slash matches (Express's default, non-strict routing). */
  trailingSlash: z.enum(['strict', 'either']).default('strict'),
};

export type LimitsConfig = z.output<typeof limitsSchema>;
