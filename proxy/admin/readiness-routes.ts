import express, { type Router } from 'express';
import { StranglerError } from '../../core/errors.js';
import type { ConsoleSources } from '../console/sources.js';
import type { StranglerProxy } from '../proxy-server.js';
import { proxyReadiness } from '../readiness/proxy-readiness.js';

/** `?since=30m|2h|7d` or an ISO time. */
function sinceOf(v: unknown): Date | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const m = /^(\d+)(m|h|d)$/.exec(v);
  const at = m ? new Date(Date.now() - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd']) : new Date(v);
  if (Number.isNaN(at.getTime())) throw new StranglerError('STRANGLER_E_DIAL_INVALID', `since: expected 30m, 2h, 7d or an ISO time, got "${v}"`, { hint: 'e.g. GET /readiness?since=24h' });
  return at;
}

/**
 * GET /readiness and GET /routes/:name/readiness: the readiness gate with `strangler ready`'s
 * defaults, the same JSON as `strangler ready --json` (ready, routes[].criteria).
 */
export function readinessRoutes(proxy: StranglerProxy, sources: ConsoleSources): Router {
  const r = express.Router();
  r.get('/readiness', async (req, res, next) => {
    try {
      const since = sinceOf(req.query.since);
      res.json(await proxyReadiness(proxy, sources, since ? { since } : {}));
    } catch (err) {
      next(err);
    }
  });
  r.get('/routes/:name/readiness', async (req, res, next) => {
    try {
      const since = sinceOf(req.query.since);
      res.json(await proxyReadiness(proxy, sources, { routes: [String(req.params.name)], ...(since ? { since } : {}) }));
    } catch (err) {
      next(err);
    }
  });
  return r;
}
