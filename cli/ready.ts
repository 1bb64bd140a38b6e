import { Command } from 'commander';
import { StranglerError, describeCause } from '../core/errors.js';
import { createReport } from '../diffs/report/compute.js';
import { formatReadiness, readinessJson, type RouteReadiness } from '../diffs/report/readiness.js';
import type { ReadCounts } from '../diffs/jsonl-read.js';
import { intArg, percentArg, sinceArg } from './args.js';
import { recordSource, sourceRecords } from './diffs-source.js';
import { durationArg, gateFromFlags, type GateFlags } from './ready-gate.js';
import type { CliIo } from './io.js';
import { client } from './routes.js';

interface ReadyFlags extends GateFlags {
  config?: string;
  file?: string;
  since?: Date;
  json?: boolean;
  admin?: string;
}

/** The verdicts of a running proxy (its diff records, its live latency, its checkpoint store), with its defaults. */
async function fromProxy(routes: string[], flags: ReadyFlags, io: CliIo): Promise<RouteReadiness[]> {
  const admin = client({ admin: flags.admin!, ...(flags.config ? { config: flags.config } : {}) }, io);
  if (routes.length === 0) return (await admin.readiness()).routes;
  return (await Promise.all(routes.map((r) => admin.readiness(r)))).flatMap((v) => v.routes);
}

/** `strangler ready [ROUTE…] -c FILE`: one checklist per route; exit 0 only when every selected route is ready. */
export function readyCommand(io: CliIo): Command {
  return new Command('ready')
    .description('the readiness gate per route: responses, latency, errors and data, each with ✓/✗ and its figure; exit 0 only when every selected route is ready')
    .argument('[routes...]', 'routes to judge (default: every route with diff records or a shadow dial)')
    .option('-c, --config <file>', 'config file (routes[].slo, routes[].tables, the diff records of proxy.diffs)')
    .option('--file <path>', 'read this diffs JSONL file instead')
    .option('--since <when>', 'only pairs since a duration ago (30m, 1h, 2d) or an ISO time', (v) => sinceArg(v))
    .option('--max-mismatch <pct>', "ready when the mismatch rate's 95% upper bound is at most this percentage", percentArg, 1)
    .option('--min-compared <n>', 'ready only with at least this many compared pairs', intArg(0), 100)
    .option('--error-margin <points>', "the new service's failure rate (95% upper bound) may exceed legacy's by this many percentage points", percentArg, 1)
    .option('--verify-report <file>', 'the JSON `migrate verify --report FILE` wrote (default: each table\'s last verify, kept in the checkpoint store of migrate.target)')
    .option('--max-verify-age <duration>', 'a verify older than this does not count', durationArg, 24 * 3_600_000)
    .option('--max-lag <duration>', "a table's copy may lag MySQL by at most this (follow's lag, else the last sync's or the backfill's start)", durationArg, 5 * 60_000)
    .option('--admin <url>', "ask the running proxy's admin API instead (GET /readiness: its records, its checkpoint store, and the latency of its live traffic; its defaults)")
    .option('--json', 'print JSON')
    .action(async (routes: string[], flags: ReadyFlags) => {
      if (flags.admin !== undefined) return void report(await fromProxy(routes, flags, io), flags, io);
      const source = recordSource(flags, io.env);
      const expected = source.config?.proxy?.routes.filter((r) => r.shadow > 0).map((r) => r.name) ?? [];
      const acc = createReport({ ...(routes.length > 0 && { routes }), ...(flags.since && { since: flags.since }), maxMismatchPct: flags.maxMismatch, minCompared: flags.minCompared, expectedRoutes: expected });
      const counts: ReadCounts = { bad: 0 };
      try {
        for await (const record of sourceRecords(source, counts)) acc.add(record);
      } catch (err) {
        throw new StranglerError('STRANGLER_E_DIFFS_FILE', `${source.label}: cannot read diff records: ${describeCause(err)}`, { cause: err, hint: 'check the file permissions' });
      }
      report(await gateFromFlags(acc.finish(), source.config, flags), flags, io);
    });
}

function report(verdicts: RouteReadiness[], flags: ReadyFlags, io: CliIo): void {
  io.stdout.write(flags.json ? JSON.stringify(readinessJson(verdicts), null, 2) + '\n' : formatReadiness(verdicts));
  const bad = verdicts.filter((v) => !v.ready);
  if (verdicts.length === 0 || bad.length > 0) {
    throw new StranglerError(
      'STRANGLER_E_NOT_READY',
      verdicts.length === 0 ? 'no route to judge: no diff records selected and no configured route with shadow on' : `${bad.length} of ${verdicts.length} route(s) not ready: ${bad.map((v) => `${v.route} (${v.criteria.filter((c) => !c.ok).map((c) => c.name).join(', ')})`).join(', ')}`,
      { hint: 'each ✗ line above says which figure misses its bound; shadow more traffic, speed up the new service, verify the data again or let it catch up' },
    );
  }
}
