/**
 * The console: a web page on the admin listener. Sign-in trades the admin token for a session
 * cookie (HttpOnly, SameSite=Strict, path /console); every change also needs the session's CSRF
 * token in a header. Changes go through the same proxy calls as the admin API (setDial, rollback),
 * so they are versioned and audited alike. Reads come from what the admin side already holds:
 * the route table, the metrics counters (sampled, see rates.ts), the diff store and the checkpoints.
 */
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { PACKAGE_ROOT } from '../../core/package-info.js';
import { StranglerError } from '../../core/errors.js';
import { formatHtml } from '../../diffs/report/format-html.js';
import { GATE_DEFAULTS, judgeReport } from '../../diffs/report/readiness.js';
import { gateEvidence } from '../readiness/proxy-readiness.js';
import { dialPatchSchema } from '../dials.js';
import type { Pilot } from '../pilot.js';
import type { StranglerProxy } from '../proxy-server.js';
import { DEFAULT_THRESHOLDS, diffsPage, findPair, type DiffFilters } from './diffs-view.js';
import { RateSampler } from './rates.js';
import { ConsoleSessions, SESSION_COOKIE, sameSecret, type ConsoleSession } from './sessions.js';
import { NO_SOURCES, type ConsoleSources } from './sources.js';
import { vendorFile } from './vendor.js';

export interface ConsoleOptions {
  token: () => string;
  sources?: ConsoleSources;
  /** The guard and ramps (shown beside each route), when the proxy runs them. */
  pilot?: Pilot;
  /** How often the live rates are sampled (default 5 s). */
  sampleMs?: number;
}

const WEB = path.join(PACKAGE_ROOT, 'web', 'console');
/** The pages load only their own files: no CDN, no inline script, nothing framed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

type Authed = Request & { session?: ConsoleSession };

function parseSince(v: unknown): Date | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const m = /^(\d+)(m|h|d)$/.exec(v);
  if (!m) throw new StranglerError('STRANGLER_E_CONSOLE_INPUT', `time window "${v}" is not one of 15m, 1h, 24h, 7d`, { hint: 'pick a window from the list' });
  return new Date(Date.now() - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd']);
}

function filtersOf(req: Request): DiffFilters {
  const q = req.query;
  const since = parseSince(q.since);
  return {
    ...(typeof q.route === 'string' && q.route ? { route: q.route } : {}),
    ...(since ? { since } : {}),
    ...(typeof q.field === 'string' && q.field ? { field: q.field } : {}),
  };
}

export function consoleRouter(proxy: StranglerProxy, options: ConsoleOptions): express.Router {
  const sessions = new ConsoleSessions();
  const sources = options.sources ?? NO_SOURCES;
  const rates = new RateSampler({ stats: () => proxy.routes().map((r) => proxy.metrics.route(r.name)), ...(options.sampleMs ? { intervalMs: options.sampleMs } : {}) });
  const router = express.Router();
  const json = express.json({ limit: '16kb' });

  router.use((_req, res, next) => {
    res.set({ 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
    next();
  });
  router.get('/', (req, res) => {
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, req.baseUrl + '/');
    res.sendFile(path.join(WEB, 'index.html'));
  });
  router.use('/assets', express.static(WEB, { index: false, fallthrough: false, dotfiles: 'deny' }));
  router.get('/vendor/preact-htm.js', (_req, res) => res.type('text/javascript').sendFile(vendorFile()));

  const sessionOf = (req: Request) => sessions.get(parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE]);
  const cookie = (value: string, maxAge: number) =>
    serializeCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/console', maxAge, secure: false });

  router.post('/api/session', json, (req, res, next) => {
    const given = typeof req.body?.token === 'string' ? (req.body.token as string) : '';
    if (!sameSecret(given, options.token())) {
      return next(new StranglerError('STRANGLER_E_ADMIN_AUTH', 'the console refused the token (not the proxy\'s admin token)', { hint: 'enter the value of proxy.admin.token (STRANGLER_ADMIN_TOKEN)' }));
    }
    const old = sessionOf(req);
    if (old) sessions.destroy(old.id);
    const s = sessions.create();
    res.set('set-cookie', cookie(s.id, 12 * 3600)).json({ csrf: s.csrf });
  });

  // Everything below needs a session; every change needs its CSRF token as well.
  router.use('/api', (req: Authed, _res, next) => {
    const s = sessionOf(req);
    if (!s) return next(new StranglerError('STRANGLER_E_ADMIN_AUTH', 'not signed in to the console (no session, or it ended)', { hint: 'sign in with the admin token' }));
    if (req.method !== 'GET' && req.method !== 'HEAD' && !sameSecret(req.get('x-csrf-token') ?? '', s.csrf)) {
      return next(new StranglerError('STRANGLER_E_CONSOLE_CSRF', 'the change carries no valid CSRF token', { hint: 'make changes from the console page; reload it if the session was renewed' }));
    }
    req.session = s;
    next();
  });

  router.get('/api/session', (req: Authed, res) => res.json({ csrf: req.session!.csrf }));
  router.delete('/api/session', (req: Authed, res) => {
    sessions.destroy(req.session!.id);
    res.set('set-cookie', cookie('', 0)).json({ ok: true });
  });

  router.get('/api/routes', (_req, res) => {
    const pilot = options.pilot;
    res.json({
      version: proxy.stateVersion,
      routes: proxy.routes(),
      rates: rates.read(),
      // The same figures GET /guard and GET /ramps answer (the guard's own sliding window, the ramp records).
      guard: pilot ? pilot.guard.status(proxy.compiledRoutes()) : [],
      ramps: pilot ? pilot.ramps.list() : [],
      at: new Date().toISOString(),
    });
  });

  router.get('/api/routes/:name/history', async (req, res, next) => {
    try {
      res.json({ route: req.params.name, changes: await proxy.history(String(req.params.name), 20) });
    } catch (err) {
      next(err);
    }
  });

  router.patch('/api/routes/:name', json, async (req, res, next) => {
    try {
      const parsed = dialPatchSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new StranglerError('STRANGLER_E_DIAL_INVALID', `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, { hint: 'new and shadow take 0-100 in 0.01 steps, fallback true or false' });
      }
      const { who, ...patch } = parsed.data;
      res.json(await proxy.setDial(String(req.params.name), patch, authorOf(who)));
    } catch (err) {
      next(err);
    }
  });

  router.post('/api/routes/:name/rollback', json, async (req, res, next) => {
    try {
      res.json(await proxy.rollback(String(req.params.name), authorOf(req.body?.who)));
    } catch (err) {
      next(err);
    }
  });

  // The verdicts read the whole diff file: once per 30 s for all consoles, not once per poll.
  const verdicts = cached(30_000);
  router.get('/api/verdicts', async (_req, res, next) => {
    try {
      if ('unavailable' in sources.diffs) return res.json({ unavailable: sources.diffs.unavailable });
      const d = sources.diffs;
      const expected = proxy.routes().filter((r) => r.dial.shadow > 0).map((r) => r.name);
      // `strangler ready`'s gate, the one the admin API's GET /readiness gives and a ramp with
      // --require-ready steps on (its evidence: the live latency and the checkpoint store), over the
      // same pairs (all that are stored), so that the console never says ready where a ramp holds.
      const judged = await verdicts('all', async () => {
        const page = await diffsPage(d.records(), {}, { ...DEFAULT_THRESHOLDS, expectedRoutes: expected, top: 1 });
        return { page, evidence: await gateEvidence(proxy, sources, page.report.routes.map((r) => r.route)) };
      });
      const configs = new Map(proxy.compiledRoutes().map((c) => [c.name, c.config]));
      const byRoute = new Map(judgeReport(judged.page.report, configs, judged.evidence, GATE_DEFAULTS).map((v) => [v.route, v]));
      res.json({
        thresholds: DEFAULT_THRESHOLDS,
        routes: judged.page.report.routes.map((r) => {
          const v = byRoute.get(r.route)!;
          return { route: r.route, ready: v.ready, reasons: v.criteria.filter((c) => !c.ok).map((c) => `${c.name}: ${c.figure}`), compared: r.compared };
        }),
      });
    } catch (err) {
      next(err);
    }
  });

  router.get('/api/diffs', async (req, res, next) => {
    try {
      if ('unavailable' in sources.diffs) return res.json({ unavailable: sources.diffs.unavailable });
      const expected = proxy.routes().filter((r) => r.dial.shadow > 0).map((r) => r.name);
      res.json({ source: sources.diffs.label, ...(await diffsPage(sources.diffs.records(), filtersOf(req), { ...DEFAULT_THRESHOLDS, expectedRoutes: expected })) });
    } catch (err) {
      next(err);
    }
  });

  router.get('/api/diffs/report.html', async (req, res, next) => {
    try {
      if ('unavailable' in sources.diffs) throw new StranglerError('STRANGLER_E_CONSOLE_INPUT', sources.diffs.unavailable);
      const expected = proxy.routes().filter((r) => r.dial.shadow > 0).map((r) => r.name);
      const page = await diffsPage(sources.diffs.records(), filtersOf(req), { ...DEFAULT_THRESHOLDS, expectedRoutes: expected });
      res.set('content-disposition', 'attachment; filename="strangler-diffs.html"').type('html').send(formatHtml(page.report));
    } catch (err) {
      next(err);
    }
  });

  router.get('/api/diffs/pairs/:id', async (req, res, next) => {
    try {
      if ('unavailable' in sources.diffs) throw new StranglerError('STRANGLER_E_CONSOLE_INPUT', sources.diffs.unavailable);
      const pair = await findPair(sources.diffs.records(), String(req.params.id));
      if (!pair) throw new StranglerError('STRANGLER_E_ADMIN_NOT_FOUND', `no diff record with id ${req.params.id}`, { hint: 'the record may have rotated out of the diff files' });
      res.json(pair);
    } catch (err) {
      next(err);
    }
  });

  router.get('/api/migrations', async (_req, res, next) => {
    try {
      if ('unavailable' in sources.migrations) return res.json({ configured: false, why: sources.migrations.unavailable });
      res.json(await sources.migrations.read());
    } catch (err) {
      next(err);
    }
  });

  router.use('/api', (req: Request, _res: Response, next: NextFunction) => {
    next(new StranglerError('STRANGLER_E_ADMIN_NOT_FOUND', `the console API has no ${req.method} ${req.path}`));
  });
  return router;
}

/** The author a change is recorded under: the name the person typed, marked as coming from the console. */
function authorOf(name: unknown): string {
  const n = typeof name === 'string' ? name.trim().slice(0, 80) : '';
  if (!n) throw new StranglerError('STRANGLER_E_DIAL_INVALID', 'a change needs the author\'s name', { hint: 'type your name in the console before changing a dial' });
  return `${n} (console)`;
}

/** One computation per key at a time, reused for ttlMs: several open consoles cost one read. */
function cached(ttlMs: number) {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const e = entries.get(key);
    if (e && Date.now() - e.at < ttlMs) return e.value as Promise<T>;
    const value = compute();
    entries.set(key, { at: Date.now(), value });
    value.catch(() => entries.delete(key));
    return value;
  };
}
