/**
 * Playbook steps 4–8, done as ops and QA would: dials turned through the admin API, traffic sent
 * through the proxy, the diff report computed by the diffs library (what `strangler diffs report`
 * prints), the share served by new measured from X-Served-By.
 */
import { diffFileFromConfig } from '../../wiring/diffs.js';
import { createReport, type RouteReport } from '../../diffs/report/compute.js';
import { formatText } from '../../diffs/report/format-text.js';
import { readRecords, rotatedFiles } from '../../diffs/jsonl-read.js';
import { describeDial } from '../../proxy/admin-client.js';
import type { Dial } from '../../proxy/dials.js';
import { DEMO_EXPECTED } from './index.js';
import type { DemoStack } from './stack.js';
import type { Step, StepContext } from './step.js';
import { sendTraffic, share, spreadIds, type DemoRequest, type Tally } from './traffic.js';

const WHO = 'demo-ops';
/** The read routes QA shadows (the two others write). */
export const SHADOWED = ['users.get', 'users.activities', 'activities.get', 'chats.messages.list'] as const;
/** The clean route the canary, fallback and rollback steps turn. */
export const CANARY_ROUTE = DEMO_EXPECTED.clean[0];

export interface TrafficSizes {
  /** Shadowed requests per route (the report's verdict wants ≥ ~400 clean pairs for a 1% bound). */
  shadowPerRoute: number;
  /** Distinct users in the canary measurement. */
  canaryUsers: number;
}

/** Requests in flight to the new service at most, where it serves them all (see the shadow step). */
const NEW_SERVICE_CONCURRENCY = 4;

const pctText = (f: number) => `${(f * 100).toFixed(1)}%`;

function tallyText(t: Tally): string {
  const statuses = Object.entries(t.statuses).map(([s, c]) => `${c}× ${s === '0' ? 'no answer' : s}`).join(', ');
  const by = Object.entries(t.servedBy).map(([b, c]) => `${b} ${c}`).join(', ');
  return `${t.requests} requests in ${(t.ms / 1000).toFixed(1)} s (${Math.round((t.requests / Math.max(t.ms, 1)) * 1000)} req/s): ${statuses}; served by ${by}`;
}

function tallyFigures(t: Tally) {
  return { requests: t.requests, statuses: t.statuses, servedBy: t.servedBy, ms: t.ms };
}

async function dialOf(stack: DemoStack, route: string): Promise<Dial> {
  const list = await stack.admin.list();
  const r = list.routes.find((x) => x.name === route);
  if (!r) throw new Error(`the admin API does not list route ${route}`);
  return r.dial;
}

/** The route's requests the demo sends: ids spread over the seeded rows, each from a user. */
export function requestsFor(route: string, count: number, stack: DemoStack, userOffset = 0): DemoRequest[] {
  const c = stack.seed.counts;
  const users = c.users!;
  const pathFor: Record<string, (id: number) => string> = {
    'users.get': (id) => `/api/users/${id}`,
    'users.activities': (id) => `/api/users/${id}/activities`,
    'activities.get': (id) => `/api/activities/${id}`,
    'chats.messages.list': (id) => `/api/chats/${id}/messages`,
  };
  const rows = route.startsWith('activities.') ? c.activities! : route.startsWith('chats.') ? c.chats! : users;
  const ids = spreadIds(count, rows);
  return ids.map((id, i) => ({ path: pathFor[route]!(id), userId: 1 + ((i + userOffset) % users) }));
}

/** Sums a counter of the proxy's Prometheus /metrics (admin API) over the series whose labels include `having`. */
export async function metricSum(stack: DemoStack, name: string, having = ''): Promise<number> {
  const res = await fetch(`${stack.adminUrl}/metrics`, { headers: { authorization: `Bearer ${stack.addresses.adminToken}` } });
  const text = await res.text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(having)) total += Number(line.split(' ').at(-1));
  return total;
}

const fallbacksCounted = (stack: DemoStack, route: string) => metricSum(stack, 'strangler_proxy_fallbacks_total', `route="${route}"`);

/**
 * Traffic on the canary route, with the fallbacks the proxy counted meanwhile: a user routed to new
 * whose request new failed (on a loaded machine, its timeout) is answered by legacy, so the share
 * routed to new is what X-Served-By says plus those fallbacks.
 */
async function canaryTraffic(stack: DemoStack, requests: DemoRequest[], concurrency?: number): Promise<{ tally: Tally; fallbacks: number; routedShare: number }> {
  const before = await fallbacksCounted(stack, CANARY_ROUTE);
  const tally = await sendTraffic(stack.proxyUrl, requests, concurrency);
  const fallbacks = (await fallbacksCounted(stack, CANARY_ROUTE)) - before;
  return { tally, fallbacks, routedShare: tally.requests === 0 ? 0 : ((tally.servedBy['new-service'] ?? 0) + fallbacks) / tally.requests };
}

function fallbackNote(fallbacks: number): string {
  return fallbacks === 0 ? '' : ` + ${fallbacks} routed to new but answered by legacy after new failed (fallback)`;
}

/** Mirrored calls still in flight and pairs still being compared: wait until both are done and stored. */
async function shadowSettled(stack: DemoStack): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (stack.proxy.proxy.shadowActive > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await stack.sink.idle();
  await stack.diffStore.flush();
}

export function shadowStep(stack: DemoStack, sizes: TrafficSizes): Step {
  return {
    name: 'shadow',
    title: `shadow 100% on the read routes (admin API), then ${sizes.shadowPerRoute * SHADOWED.length} requests through the proxy`,
    async run(step: StepContext) {
      const lines: string[] = [];
      for (const route of SHADOWED) {
        const change = await stack.admin.set(route, { shadow: 100 }, WHO);
        step.progress(`PATCH /routes/${route} {"shadow":100} → version ${change.version}: ${describeDial(change.after)}`);
      }
      // Interleaved, as real traffic would be.
      const perRoute = SHADOWED.map((r) => requestsFor(r, sizes.shadowPerRoute, stack));
      const requests = perRoute[0]!.flatMap((_, i) => perRoute.map((rs) => rs[i]!));
      step.progress(`sending ${requests.length} GETs with X-User-Id through ${stack.proxyUrl} …`);
      // Paced to what the backends take: mirrored calls over proxy.shadow.maxConcurrency would be
      // dropped (and counted), and a dropped pair is a pair the report lacks.
      // Kept well under the bound: the emulator scans a kind for each query and two cores run only a
      // few at once, so a longer queue in front of it only adds latency, up to the new backend's
      // timeout on a loaded machine — and a timed-out pair is a mismatch.
      const bound = Math.min(NEW_SERVICE_CONCURRENCY, stack.config.proxy!.shadow.maxConcurrency);
      const tally = await sendTraffic(stack.proxyUrl, requests, 8, () => stack.proxy.proxy.shadowActive >= bound);
      await shadowSettled(stack);
      const sink = stack.sink.stats();
      const proxySide = {
        handedOver: await metricSum(stack, 'strangler_shadow_pairs_total'),
        dropped: await metricSum(stack, 'strangler_shadow_dropped_total'),
        skipped: await metricSum(stack, 'strangler_shadow_skipped_total'),
      };
      lines.push(`proxy: ${proxySide.handedOver} pairs handed to the diff side, ${proxySide.dropped} dropped (concurrency bound), ${proxySide.skipped} skipped`);
      lines.push(tallyText(tally), `compared ${sink.compared} pairs (legacy asked twice for ~${stack.config.proxy!.shadow.noiseSample}% of them), ${sink.dropped} dropped`);
      if (stack.newServiceErrors.count > 0) lines.push(`the new service logged ${stack.newServiceErrors.count} error(s) to ${stack.newServiceLog}`);
      const ok200 = (tally.statuses['200'] ?? 0) === requests.length;
      return {
        ok: ok200 && sink.compared >= requests.length * 0.9,
        figures: { ...tallyFigures(tally), compared: sink.compared, dropped: sink.dropped, proxy: proxySide, newServiceErrors: stack.newServiceErrors.count },
        lines,
        problem: ok200 ? `only ${sink.compared} of ${requests.length} requests were compared` : `not every request answered 200: ${JSON.stringify(tally.statuses)}`,
      };
    },
  };
}

function routeFigures(r: RouteReport) {
  return {
    route: r.route,
    compared: r.compared,
    matched: r.matched,
    mismatchRate: r.mismatchRate,
    mismatchUpper95: r.mismatchUpper95,
    topFields: r.topFields.map((f) => ({ path: f.path, count: f.count, kinds: f.kinds })),
    noiseFields: r.noiseFields.map((f) => ({ path: f.path, count: f.count })),
    ready: r.ready,
    latencyMs: r.latencyMs,
  };
}

export function reportStep(stack: DemoStack): Step {
  return {
    name: 'report',
    title: 'diffs report: per route match rate, differing fields, noise, latencies, verdict',
    async run() {
      const { path, maxFiles } = diffFileFromConfig(stack.config);
      const acc = createReport({ maxMismatchPct: 1, minCompared: 100, expectedRoutes: [...SHADOWED] });
      for await (const record of readRecords(rotatedFiles(path, maxFiles))) acc.add(record);
      const report = acc.finish();
      const routes = report.routes.map(routeFigures);
      const byName = new Map(routes.map((r) => [r.route, r]));
      const { difference, noise, clean } = DEMO_EXPECTED;
      const diffRoute = byName.get(difference.route);
      const noiseRoute = byName.get(noise.route);
      const checks = {
        differenceFound: !!diffRoute?.topFields.some((f) => f.path === difference.field),
        noiseClassified: !!noiseRoute?.noiseFields.some((f) => f.path === noise.field) && !noiseRoute.topFields.some((f) => f.path === noise.field),
        cleanReady: clean.every((r) => byName.get(r)?.ready === true),
      };
      const lines = formatText(report).trimEnd().split('\n');
      lines.push(
        '',
        `expected: ${difference.route} ${difference.field} differs (${checks.differenceFound ? 'found' : 'NOT found'}); ` +
          `${noise.route} ${noise.field} is noise (${checks.noiseClassified ? 'classified' : 'NOT classified'}); ` +
          `${clean.join(', ')} ready (${checks.cleanReady ? 'yes' : 'NO'})`,
      );
      const failed = Object.entries(checks).filter(([, v]) => !v).map(([k]) => k);
      return { ok: failed.length === 0, figures: { records: report.records, routes, ...checks }, lines, problem: `report check(s) failed: ${failed.join(', ')}` };
    },
  };
}

export function canaryStep(stack: DemoStack, sizes: TrafficSizes): Step {
  return {
    name: 'canary',
    title: `canary: ${CANARY_ROUTE} new 10% (sticky per user), measured over ${sizes.canaryUsers} users`,
    async run(step: StepContext) {
      // Shadowing stops where the report said ready: the canary's own answers are what is watched now,
      // and mirroring every request to the emulator-bound new service would only slow the demo down.
      const change = await stack.admin.set(CANARY_ROUTE, { new: 10, shadow: 0 }, WHO);
      const requests = requestsFor(CANARY_ROUTE, sizes.canaryUsers, stack).map((r, i) => ({ ...r, userId: i + 1 }));
      step.progress(`PATCH /routes/${CANARY_ROUTE} {"new":10,"shadow":0} → version ${change.version}; ${requests.length} users each send a GET …`);
      const first = await canaryTraffic(stack, requests);
      // The same users again: a sticky canary sends each of them to the same backend as before
      // (a user can only seem to move when a fallback answered one of the two requests).
      const again = await canaryTraffic(stack, requests.slice(0, Math.min(500, requests.length)));
      const moved = [...again.tally.byUser].filter(([user, by]) => first.tally.byUser.get(user) !== by).length;
      const newShare = share(first.tally, 'new-service');
      const all200 = (first.tally.statuses['200'] ?? 0) === first.tally.requests && (again.tally.statuses['200'] ?? 0) === again.tally.requests;
      const lines = [
        `PATCH /routes/${CANARY_ROUTE} {"new":10,"shadow":0} → version ${change.version}: ${describeDial(change.after)}`,
        tallyText(first.tally),
        `share served by new: ${pctText(newShare)} of ${first.tally.byUser.size} users${fallbackNote(first.fallbacks)} (dial 10%); ` +
          `${again.tally.requests} of them again: ${moved} moved backend`,
      ];
      const ok = all200 && Math.abs(first.routedShare - 0.1) <= 0.05 && moved <= first.fallbacks + again.fallbacks;
      return {
        ok,
        figures: {
          route: CANARY_ROUTE,
          dial: change.after,
          users: first.tally.byUser.size,
          newShare,
          fallbacks: first.fallbacks,
          routedShare: first.routedShare,
          ...tallyFigures(first.tally),
          repeatUsers: again.tally.requests,
          movedBackend: moved,
          repeatFallbacks: again.fallbacks,
        },
        lines,
        problem: !all200 ? 'not every request answered 200' : moved > first.fallbacks + again.fallbacks ? `${moved} users changed backend between two requests` : `${pctText(first.routedShare)} routed to new, not 10% ± 5%`,
      };
    },
  };
}


export function fallbackStep(stack: DemoStack, sizes: TrafficSizes): Step {
  return {
    name: 'fallback',
    title: `100% with fallback: ${CANARY_ROUTE} all on new; the new service stops, legacy answers; it starts again`,
    async run(step: StepContext) {
      const change = await stack.admin.set(CANARY_ROUTE, { new: 100, fallback: true }, WHO);
      const count = Math.min(200, sizes.canaryUsers);
      const up = await canaryTraffic(stack, requestsFor(CANARY_ROUTE, count, stack, 0), NEW_SERVICE_CONCURRENCY);
      step.progress(`new 100%: ${tallyText(up.tally)}; stopping the new service …`);
      await stack.stopNew();
      const down = await canaryTraffic(stack, requestsFor(CANARY_ROUTE, count, stack, count));
      step.progress(`new service down: ${tallyText(down.tally)}; starting it again …`);
      await stack.restartNew();
      const back = await canaryTraffic(stack, requestsFor(CANARY_ROUTE, count, stack, 2 * count), NEW_SERVICE_CONCURRENCY);
      const all200 = [up, down, back].every((t) => (t.tally.statuses['200'] ?? 0) === t.tally.requests);
      const lines = [
        `PATCH /routes/${CANARY_ROUTE} {"new":100,"fallback":true} → version ${change.version}: ${describeDial(change.after)}`,
        `new service up:      ${tallyText(up.tally)}${fallbackNote(up.fallbacks)}`,
        `new service STOPPED: ${tallyText(down.tally)}; ${down.fallbacks} fallbacks counted (strangler_proxy_fallbacks_total)`,
        `new service started: ${tallyText(back.tally)}${fallbackNote(back.fallbacks)}`,
      ];
      // Every request routed to new (answered by it, or by legacy after new failed), and while it is
      // down, every one answered by legacy through a fallback.
      const ok = all200 && up.routedShare === 1 && back.routedShare === 1 && share(down.tally, 'legacy-php') === 1 && down.fallbacks === down.tally.requests;
      return {
        ok,
        figures: {
          route: CANARY_ROUTE,
          dial: change.after,
          up: { ...tallyFigures(up.tally), fallbacks: up.fallbacks },
          down: { ...tallyFigures(down.tally), fallbacks: down.fallbacks },
          back: { ...tallyFigures(back.tally), fallbacks: back.fallbacks },
          fallbacks: down.fallbacks,
        },
        lines,
        problem: all200 ? 'the answers did not come from the expected backend (see the lines above)' : `not every GET answered 200: ${JSON.stringify([up, down, back].map((t) => t.tally.statuses))}`,
      };
    },
  };
}

function dialDelta(a: Dial, b: Dial): string {
  const parts: string[] = [];
  if (a.new !== b.new) parts.push(`new ${a.new}%→${b.new}%`);
  if (a.shadow !== b.shadow) parts.push(`shadow ${a.shadow}%→${b.shadow}%`);
  if (a.fallback !== b.fallback) parts.push(`fallback ${a.fallback ? 'on' : 'off'}→${b.fallback ? 'on' : 'off'}`);
  return parts.join(' ') || 'no change';
}

export function rollbackStep(stack: DemoStack, sizes: TrafficSizes): Step {
  return {
    name: 'rollback',
    title: `rollback: one admin call (strangler routes rollback ${CANARY_ROUTE}) undoes the last change`,
    async run() {
      const before = await dialOf(stack, CANARY_ROUTE);
      const change = await stack.admin.rollback(CANARY_ROUTE, WHO);
      const after = await dialOf(stack, CANARY_ROUTE);
      const history = await stack.admin.history(CANARY_ROUTE, 10);
      const expected = history.changes.find((c) => c.version === change.undoes)?.before;
      // The canary's first users again: the share on new is back to what the dial says.
      const users = Math.min(1000, sizes.canaryUsers);
      const { tally: check, fallbacks, routedShare } = await canaryTraffic(stack, requestsFor(CANARY_ROUTE, users, stack).map((r, i) => ({ ...r, userId: i + 1 })));
      const newShare = share(check, 'new-service');
      const lines = [
        `POST /routes/${CANARY_ROUTE}/rollback → version ${change.version} (undoes version ${change.undoes}): ${describeDial(before)} → ${describeDial(after)}`,
        `history: ${history.changes.map((c) => `v${c.version} ${c.action} ${dialDelta(c.before, c.after)}`).join(', ')}`,
        `share served by new now: ${pctText(newShare)} of ${check.byUser.size} users${fallbackNote(fallbacks)} (${tallyText(check)})`,
      ];
      const restored = !!expected && expected.new === after.new && expected.shadow === after.shadow && expected.fallback === after.fallback;
      return {
        ok: restored && Math.abs(routedShare - after.new / 100) <= 0.05,
        figures: { route: CANARY_ROUTE, before, after, restoredTo: expected, version: change.version, undoes: change.undoes, newShare, fallbacks, routedShare, ...tallyFigures(check) },
        lines,
        problem: restored ? `${pctText(routedShare)} routed to new after the rollback to ${after.new}%` : `the dial after the rollback (${describeDial(after)}) is not the one before the last change`,
      };
    },
  };
}
