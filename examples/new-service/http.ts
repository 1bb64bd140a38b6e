import type { Request, Response } from 'express';

/** An answer other than 200, with the same error body the legacy app sends. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** Same content-type as legacy, byte for byte (the diffs compare it). */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** The :id of a route whose pattern already allows digits only. */
export function idParam(req: Request, name = 'id'): number {
  return Number(req.params[name]);
}

export function currentUserId(req: Request): number {
  const id = req.get('x-user-id') ?? '';
  if (!/^[1-9]\d{0,9}$/.test(id)) throw new HttpError(401, 'unauthorized', 'an X-User-Id header with a user id is required');
  return Number(id);
}

/** PHP_INT_MAX: legacy's upper bound for integer query parameters, quoted in its 400 message. */
export const PHP_INT_MAX = 9223372036854775807n;

/**
 * ?name=N as a whole number in [min, max], or the default; anything else is a 400, worded as legacy
 * words it. Values past 2^53 come back rounded, which is fine for the cursors they are used as.
 */
export function queryInt(req: Request, name: string, fallback: number | null, min: number, max: bigint): number | null {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return fallback;
  const ok = typeof raw === 'string' && /^\d{1,18}$/.test(raw) && BigInt(raw) >= BigInt(min) && BigInt(raw) <= max;
  if (!ok) throw new HttpError(400, 'bad_request', `${name} must be a whole number from ${min} to ${max}`);
  return Number(raw);
}

/** The request body decoded as json_decode($body, true) sees it: an object or array, else a 400. */
export function jsonObjectBody(req: Request): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(typeof req.body === 'string' ? req.body : '');
  } catch {
    body = null;
  }
  if (body === null || typeof body !== 'object') throw new HttpError(400, 'bad_request', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}
