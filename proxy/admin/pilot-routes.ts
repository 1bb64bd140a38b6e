import express, { type Router } from 'express';
import { z } from 'zod';
import { parseDurationMs } from '../../config/duration.js';
import { StranglerError } from '../../core/errors.js';
import type { Pilot } from '../pilot.js';
import type { StranglerProxy } from '../proxy-server.js';

const rampBody = z.strictObject({
  steps: z.array(z.number()).min(1),
  /** Milliseconds, or a duration text ("10m"). */
  hold: z.union([z.number(), z.string()]),
  requireReady: z.boolean().default(false),
  who: z.string().min(1).max(200).optional(),
});

function holdMs(v: number | string): number {
  const ms = typeof v === 'number' ? v : parseDurationMs(v);
  if (ms === undefined) throw new StranglerError('STRANGLER_E_RAMP_INVALID', `hold: expected a duration such as 30s, 10m or 1h, got ${JSON.stringify(v)}`, { hint: 'e.g. {"steps":[1,5,25,50,100],"hold":"10m"}' });
  return ms;
}

/**
 * The admin endpoints of the guard and of ramps: GET /guard, GET /ramps, POST /ramps/:name (start),
 * POST /ramps/:name/pause|resume|abort.
 */
export function pilotRoutes(proxy: StranglerProxy, pilot: Pilot, who: (req: express.Request, fromBody?: string) => string): Router {
  const r = express.Router();
  const body = express.json({ limit: '16kb' });

  r.get('/guard', (_req, res) => {
    res.json({ leader: pilot.isLeader, routes: pilot.guard.status(proxy.compiledRoutes()) });
  });

  r.get('/ramps', (_req, res) => {
    res.json({ leader: pilot.isLeader, ramps: pilot.ramps.list().map((ramp) => ({ ...ramp, waiting: pilot.ramps.waiting.get(ramp.target) ?? null })) });
  });

  r.post('/ramps/:name', body, async (req, res, next) => {
    try {
      const parsed = rampBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new StranglerError('STRANGLER_E_RAMP_INVALID', `${issue.path.join('.') || 'body'}: ${issue.message}`, { hint: 'e.g. {"steps":[1,5,25,50,100],"hold":"10m"}' });
      }
      const { steps, hold, requireReady, who: by } = parsed.data;
      res.json(await pilot.ramps.start(String(req.params.name), { steps, holdMs: holdMs(hold), requireReady, who: who(req, by) }));
    } catch (err) {
      next(err);
    }
  });

  r.post('/ramps/:name/:action', body, async (req, res, next) => {
    try {
      const action = String(req.params.action);
      if (action !== 'pause' && action !== 'resume' && action !== 'abort') return next();
      const by = typeof req.body?.who === 'string' && req.body.who ? (req.body.who as string) : undefined;
      res.json(await pilot.ramps.control(String(req.params.name), action, who(req, by)));
    } catch (err) {
      next(err);
    }
  });
  return r;
}
