import express, { type NextFunction, type Request, type Response } from 'express';
import { StranglerError, describeCause, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { dialPatchSchema } from '../dials.js';
import type { Pilot } from '../pilot.js';
import type { StranglerProxy } from '../proxy-server.js';
import { bearerMatches } from './auth.js';
import { consoleRouter } from '../console/router.js';
import { NO_SOURCES, type ConsoleSources } from '../console/sources.js';
import { pilotRoutes } from './pilot-routes.js';
import { readinessRoutes } from './readiness-routes.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  STRANGLER_E_ADMIN_AUTH: 401,
  STRANGLER_E_ADMIN_NOT_FOUND: 404,
  STRANGLER_E_ROUTE_UNKNOWN: 404,
  STRANGLER_E_DIAL_INVALID: 400,
  STRANGLER_E_ROLLBACK_NONE: 409,
  STRANGLER_E_RAMP_INVALID: 400,
  STRANGLER_E_RAMP_RUNNING: 409,
  STRANGLER_E_RAMP_NONE: 409,
  STRANGLER_E_STATE_IO: 503,
  STRANGLER_E_STATE_CORRUPT: 503,
  STRANGLER_E_STATE_UNAVAILABLE: 503,
  STRANGLER_E_CONSOLE_CSRF: 403,
  STRANGLER_E_CONSOLE_INPUT: 400,
  STRANGLER_E_READINESS_UNAVAILABLE: 503,
};

/** The longest `who` kept in the audit trail (the PATCH body's limit, for the header and rollback too). */
const MAX_WHO = 200;

function who(req: Request, fromBody?: string): string {
  const given = fromBody ?? req.get('x-strangler-actor');
  if (given !== undefined && (given.length > MAX_WHO || /[\x00-\x1f\x7f]/.test(given))) {
    throw new StranglerError('STRANGLER_E_DIAL_INVALID', `who: at most ${MAX_WHO} characters and no control characters (got ${given.length} characters)`, {
      hint: 'send a short name in "who" or x-strangler-actor, e.g. alice@laptop',
    });
  }
  return given ?? `admin-api (${req.ip ?? 'unknown'})`;
}

/**
 * The admin API: Express, on its own listener (loopback by default), never on the public one.
 * Every endpoint but /healthz needs the bearer token; errors answer with the catalogue's JSON body.
 */
export function adminApp(proxy: StranglerProxy, options: { token: () => string; logger?: Logger; console?: ConsoleSources; pilot?: Pilot }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    // Ready even while a shared state store is unreachable: the replica serves its last known dials
    // (fail static), and a fleet that all went unready at once would be an outage.
    res.json({ ok: true, routes: proxy.routes().length, stateVersion: proxy.stateVersion, state: proxy.stateHealth });
  });

  // The console signs in with the same token and keeps a session cookie instead (console/router.ts).
  app.get('/', (_req, res) => res.redirect('/console/'));
  app.use('/console', consoleRouter(proxy, { token: options.token, ...(options.console ? { sources: options.console } : {}), ...(options.pilot ? { pilot: options.pilot } : {}) }));

  app.use((req, _res, next) => {
    if (bearerMatches(req.get('authorization'), options.token())) return next();
    next(new StranglerError('STRANGLER_E_ADMIN_AUTH', 'the admin API refused the token (missing or wrong bearer token)', { hint: 'send Authorization: Bearer $STRANGLER_ADMIN_TOKEN' }));
  });

  app.get('/metrics', async (_req, res, next) => {
    try {
      res.type(proxy.metrics.registry.contentType).send(await proxy.metrics.text());
    } catch (err) {
      next(err);
    }
  });

  app.get('/routes', (_req, res) => {
    res.json({ version: proxy.stateVersion, routes: proxy.routes() });
  });

  app.patch('/routes/:name', express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const parsed = dialPatchSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
        throw new StranglerError('STRANGLER_E_DIAL_INVALID', `${where}${issue.message}`, { hint: 'new and shadow take 0-100 in 0.01 steps, fallback true or false' });
      }
      const { who: by, ...patch } = parsed.data;
      const name = String(req.params.name);
      if (proxy.groupMembers(name).length > 0) {
        const changes = await proxy.setGroupDial(name, patch, who(req, by));
        return void res.json({ group: name, version: changes[0]!.version, changes });
      }
      res.json(await proxy.setDial(name, patch, who(req, by)));
    } catch (err) {
      next(err);
    }
  });

  app.post('/routes/:name/rollback', express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      const by = typeof req.body?.who === 'string' && req.body.who ? (req.body.who as string) : undefined;
      res.json(await proxy.rollback(String(req.params.name), who(req, by)));
    } catch (err) {
      next(err);
    }
  });

  app.get('/routes/:name/history', async (req, res, next) => {
    try {
      const limit = Number(req.query.limit ?? 100);
      res.json({ route: req.params.name, changes: await proxy.history(String(req.params.name), Number.isInteger(limit) && limit > 0 ? limit : 100) });
    } catch (err) {
      next(err);
    }
  });

  if (options.pilot) app.use(pilotRoutes(proxy, options.pilot, who));
  app.use(readinessRoutes(proxy, options.console ?? NO_SOURCES));

  app.use((req, _res, next) => {
    next(new StranglerError('STRANGLER_E_ADMIN_NOT_FOUND', `the admin API has no ${req.method} ${req.path}`));
  });

  // The one place where admin errors become HTTP answers.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let e: StranglerError;
    if (err instanceof StranglerError) e = err;
    else if ((err as { type?: string }).type === 'entity.parse.failed') e = new StranglerError('STRANGLER_E_DIAL_INVALID', 'the body is not valid JSON');
    else if ((err as { type?: string }).type === 'entity.too.large') e = new StranglerError('STRANGLER_E_DIAL_INVALID', 'the body is larger than 16 kB');
    else {
      options.logger?.error({ err: describeCause(err) }, 'admin API error');
      e = new StranglerError('STRANGLER_E_INTERNAL', `internal error: ${describeCause(err)}`);
    }
    res.status(STATUS[e.code] ?? 500).set('x-strangler-error', e.code).json({ error: { code: e.code, message: e.message, hint: e.hint ?? null } });
  });
  return app;
}
