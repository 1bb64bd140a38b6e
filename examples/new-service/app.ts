import type { Datastore } from '@google-cloud/datastore';
import express, { type NextFunction, type Request, type Response } from 'express';
import { withTimeout } from '../../core/timeout.js';
import { getActivity, joinActivity } from './activities.js';
import { listMessages, postMessage } from './chats.js';
import { HttpError, sendJson } from './http.js';
import { Store } from './store.js';
import { getUser, getUserActivities } from './users.js';

export interface NewServiceOptions {
  datastore: Datastore;
  /** The clock, for serverTime and the times written on joins and messages. */
  now?: () => Date;
  /** Where unexpected errors go (default: console.error). */
  logError?: (err: unknown, req: Request) => void;
  /**
   * Failures to inject (the demo's guard step): while failShare > 0, that share of the requests
   * (every other one at 0.5; health checks excepted) is answered 500 before any handler runs.
   */
  faults?: { failShare: number };
}

type Handler = (store: Store, req: Request, res: Response, now: () => Date) => Promise<void>;

/**
 * The new friendship service: the legacy app's JSON API served from Datastore. Returns the Express
 * app without listening, so tests and the demo choose the port (see server.ts).
 */
export function createNewService(options: NewServiceOptions): express.Express {
  const store = new Store(options.datastore);
  const now = options.now ?? (() => new Date());
  const logError = options.logError ?? ((err, req) => console.error(`new-service: ${req.method} ${req.originalUrl} failed:`, err));
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Served-By', 'new-service');
    next();
  });
  let counted = 0;
  app.use((req, res, next) => {
    const share = options.faults?.failShare ?? 0;
    if (share <= 0 || req.path === '/api/health') return next();
    counted++;
    if (Math.floor(counted * share) === Math.floor((counted - 1) * share)) return next();
    return sendJson(res, 500, { error: 'internal', message: 'injected fault' });
  });
  // Legacy reads php://input whatever the content-type says and decodes it in the handler, after
  // the auth check; so does this (see jsonObjectBody).
  const rawBody = express.text({ type: () => true, limit: '64kb' });
  // Ids are digits, as legacy's route regexes say; anything else falls through to the 404.
  const handle = (h: Handler) => (req: Request, res: Response, next: NextFunction) =>
    /^\d{1,18}$/.test(String(req.params.id)) ? h(store, req, res, now) : next();
  const routes: [method: 'get' | 'post', path: string, ...handlers: express.RequestHandler[]][] = [
    ['get', '/api/users/:id', handle(getUser)],
    ['get', '/api/users/:id/activities', handle(getUserActivities)],
    ['get', '/api/activities/:id', handle(getActivity)],
    ['post', '/api/activities/:id/join', handle(joinActivity)],
    ['get', '/api/chats/:id/messages', handle(listMessages)],
    ['post', '/api/chats/:id/messages', rawBody, handle(postMessage)],
  ];

  app.get('/api/health', async (req, res) => {
    try {
      // The client retries an unreachable Datastore for a minute; a health check must answer sooner
      // (the gax deadline ends the call itself, the race is the backstop).
      const probe = options.datastore.get(options.datastore.key(['IdSequence', 'health-probe']), { gaxOptions: { timeout: 2000, retry: null } });
      await withTimeout(probe, 2500, () => new Error('Datastore did not answer within 2.5 s'));
      sendJson(res, 200, { status: 'ok', database: 'up' });
    } catch (err) {
      logError(err, req);
      sendJson(res, 503, { status: 'error', database: 'down' });
    }
  });
  for (const [method, path, ...handlers] of routes) app[method](path, ...handlers);

  // A known path with the wrong method is a 405 naming the allowed ones, as legacy answers.
  const patterns = [['GET', '/api/health'] as const, ...routes.map(([m, p]) => [m.toUpperCase(), p] as const)].map(
    ([m, p]) => [m, new RegExp(`^${p.replace(':id', '\\d+')}$`)] as const,
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    const allowed = patterns.filter(([, re]) => re.test(req.path)).map(([m]) => m);
    if (allowed.length === 0) return next();
    res.set('Allow', allowed.join(', '));
    return sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}` });
  });
  app.use((req: Request, res: Response) => {
    sendJson(res, 404, { error: 'not_found', message: `no route for ${req.method} ${req.path}` });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return sendJson(res, err.status, { error: err.error, message: err.message });
    // Legacy reads a body of any size and then refuses a message over 2000 bytes.
    if ((err as { type?: string }).type === 'entity.too.large') return sendJson(res, 422, { error: 'invalid_body', message: 'body must be a non-empty string of at most 2000 bytes' });
    logError(err, req);
    return sendJson(res, 500, { error: 'internal', message: 'datastore error' });
  });
  return app;
}
