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

/** ?name=N as a whole number in [min, max], or the default; anything else is a 400, as in legacy. */
export function queryInt(req: Request, name: string, fallback: number | null, min: number, max: number): number | null {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'string' && /^\d{1,18}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new HttpError(400, 'bad_request', `${name} must be a whole number from ${min} to ${max}`);
  return value;
}
