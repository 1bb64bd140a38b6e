import { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import { parsePathPattern } from './path-pattern.js';

/**
 * Reusable field schemas with their own error code and example, so that a bad value is reported
 * as precisely as a type error. The code travels in the issue's params (see issues.ts).
 */
export function issue(ctx: z.core.$RefinementCtx, code: ErrorCode, message: string, example?: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code, example } });
}

/** A percentage dial: 0..100 in steps of 0.01. */
export const percent = z.number().superRefine((v, ctx) => {
  if (!Number.isFinite(v) || v < 0 || v > 100) {
    issue(ctx, 'STRANGLER_E_CONFIG_RANGE', `expected a percentage from 0 to 100, got ${v}`, '25');
  } else if (Math.abs(Math.round(v * 100) - v * 100) > 1e-6) {
    issue(ctx, 'STRANGLER_E_CONFIG_RANGE', `expected a percentage in steps of 0.01, got ${v}`, '0.25');
  }
});

export const positiveInt = (example: string) =>
  z.number().superRefine((v, ctx) => {
    if (!Number.isInteger(v) || v <= 0) issue(ctx, 'STRANGLER_E_CONFIG_RANGE', `expected a whole number above 0, got ${v}`, example);
  });

export const httpUrl = z.string().superRefine((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return issue(ctx, 'STRANGLER_E_CONFIG_URL', `expected an absolute http(s) URL, got "${v}"`, 'http://127.0.0.1:9000');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    issue(ctx, 'STRANGLER_E_CONFIG_URL', `expected an http:// or https:// URL, got "${u.protocol}"`, 'http://127.0.0.1:9000');
  } else if (u.search || u.hash) {
    issue(ctx, 'STRANGLER_E_CONFIG_URL', 'a backend URL takes no query string or fragment', 'http://127.0.0.1:9000');
  }
});

export const mysqlUrl = z.string().superRefine((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return issue(ctx, 'STRANGLER_E_CONFIG_URL', 'expected a mysql:// URL', 'mysql://app:${MYSQL_PASSWORD}@127.0.0.1:3306/legacy');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    issue(ctx, 'STRANGLER_E_CONFIG_URL', `expected a mysql:// URL, got "${u.protocol}//"`, 'mysql://app:${MYSQL_PASSWORD}@127.0.0.1:3306/legacy');
  } else if (u.pathname.length <= 1) {
    issue(ctx, 'STRANGLER_E_CONFIG_URL', 'the MySQL URL must name a database', 'mysql://app:${MYSQL_PASSWORD}@127.0.0.1:3306/legacy');
  }
});

export const redisUrl = z.string().superRefine((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return issue(ctx, 'STRANGLER_E_CONFIG_URL', 'expected a redis:// URL', 'redis://:${REDIS_PASSWORD}@redis:6379');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    issue(ctx, 'STRANGLER_E_CONFIG_URL', `expected a redis:// or rediss:// URL, got "${u.protocol}//"`, 'redis://:${REDIS_PASSWORD}@redis:6379');
  }
});

export interface ListenAddress {
  host: string;
  port: number;
}

/** "host:port", ":port" or "[::1]:port"; port 0 means "any free port" (tests). */
export function parseListen(v: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(v);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export const listen = (example: string) =>
  z.string().transform((v, ctx) => {
    const parsed = parseListen(v);
    if (!parsed) {
      issue(ctx, 'STRANGLER_E_CONFIG_LISTEN', `expected "host:port" with a port from 0 to 65535, got "${v}"`, example);
      return z.NEVER;
    }
    return parsed;
  });

export const pathPattern = z.string().superRefine((v, ctx) => {
  const r = parsePathPattern(v);
  if (!r.ok) issue(ctx, 'STRANGLER_E_CONFIG_ROUTE_PATTERN', `invalid path pattern "${v}": ${r.reason}`, '/api/users/:id');
});

/** A JSON Pointer, where a segment may be "*" (any key or index). */
export const jsonPointer = z.string().superRefine((v, ctx) => {
  if (v !== '' && !v.startsWith('/')) issue(ctx, 'STRANGLER_E_CONFIG_VALUE', `expected a JSON Pointer starting with "/", got "${v}"`, '/friends/*/online');
});
