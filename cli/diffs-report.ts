import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { StranglerError, describeCause } from '../core/errors.js';
import { createReport, type Report } from '../diffs/report/compute.js';
import { formatHtml } from '../diffs/report/format-html.js';
import { formatJson, formatText, pct } from '../diffs/report/format-text.js';
import type { ReadCounts } from '../diffs/jsonl-read.js';
import { intArg, percentArg, sinceArg } from './args.js';
import type { CliIo } from './io.js';
import { recordSource, sourceRecords } from './diffs-source.js';
import { applyGate, durationArg, type GateFlags } from './ready-gate.js';

interface ReportFlags extends Partial<GateFlags> {
  config?: string;
  file?: string;
  route?: string[];
  since?: Date;
  format: 'table' | 'json' | 'html';
  output?: string;
  maxMismatch: number;
  gate?: boolean;
  minCompared: number;
  top: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function notReady(report: Report): StranglerError {
  const bad = report.routes.filter((r) => !r.ready);
  const message =
    report.routes.length === 0
      ? 'no route to report: no records selected and no configured route with shadow on'
      : `${bad.length} of ${report.routes.length} route(s) not ready: ${bad.map((r) => `${r.route} (${r.reasons.join('; ')})`).join(', ')}`;
  return new StranglerError('STRANGLER_E_DIFFS_NOT_READY', message, {
    hint: 'fix what differs (see the fields above), or shadow more traffic; the gate is --max-mismatch and --min-compared',
  });
}

export function diffsReportCommand(io: CliIo): Command {
  return new Command('report')
    .description('per route: compared, matched, mismatch rate (95% upper bound), differing fields, noise, latencies, verdict; exit 0 only when every route is ready')
    .option('-c, --config <file>', 'config file: read the diff records its proxy writes (proxy.diffs.path)')
    .option('--file <path>', 'read this diffs JSONL file (and its rotated FILE.1 … files) instead')
    .option('--route <name>', 'only this route (repeat, or comma-separated)', collect)
    .option('--since <when>', 'only records since a duration ago (30m, 1h, 2d) or an ISO time', (v) => sinceArg(v))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'html']).default('table'))
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--max-mismatch <pct>', 'ready when the mismatch rate\'s 95% upper bound is at most this percentage', percentArg, 1)
    .option('--min-compared <n>', 'ready only with at least this many compared pairs', intArg(0), 100)
    .option('--top <n>', 'differing fields listed per route', intArg(1, 1000), 10)
    .option('--gate', 'judge each route by the whole readiness gate of `strangler ready` (latency, errors, data as well)')
    .option('--error-margin <points>', "with --gate: new's failure rate may exceed legacy's by this many percentage points", percentArg, 1)
    .option('--verify-report <file>', 'with --gate: the JSON `migrate verify --report FILE` wrote')
    .option('--max-verify-age <duration>', 'with --gate: a verify older than this does not count', durationArg, 24 * 3_600_000)
    .option('--max-lag <duration>', "with --gate: a table's copy may lag MySQL by at most this (follow's or the last sync's lag)", durationArg, 5 * 60_000)
    .action(async (flags: ReportFlags) => {
      const source = recordSource(flags, io.env);
      const expected = source.config?.proxy?.routes.filter((r) => r.shadow > 0).map((r) => r.name) ?? [];
      const acc = createReport({
        ...(flags.route ? { routes: flags.route } : {}),
        ...(flags.since ? { since: flags.since } : {}),
        maxMismatchPct: flags.maxMismatch,
        minCompared: flags.minCompared,
        expectedRoutes: expected,
        top: flags.top,
        ...(source.config?.proxy?.shadow.noiseWarmup ? { minNoiseSamples: source.config.proxy.shadow.noiseWarmup } : {}),
      });
      const counts: ReadCounts = { bad: 0 };
      try {
        for await (const record of sourceRecords(source, counts)) acc.add(record);
      } catch (err) {
        throw new StranglerError('STRANGLER_E_DIFFS_FILE', `${source.label}: cannot read diff records: ${describeCause(err)}`, { cause: err, hint: 'check the file permissions' });
      }
      if (source.files.length === 0 && !source.store) io.stderr.write(`strangler: no diff records at ${source.label} yet (is a route's shadow dial on?)\n`);
      if (counts.bad > 0) io.stderr.write(`strangler: skipped ${counts.bad} unreadable line(s) in ${source.label}\n`);
      const report = acc.finish();
      if (flags.gate) await applyGate(report, source.config, { maxMismatch: flags.maxMismatch, minCompared: flags.minCompared, errorMargin: flags.errorMargin ?? 1, maxVerifyAge: flags.maxVerifyAge ?? 86_400_000, maxLag: flags.maxLag ?? 300_000, ...(flags.verifyReport !== undefined && { verifyReport: flags.verifyReport }) });
      const text = flags.format === 'json' ? formatJson(report) : flags.format === 'html' ? formatHtml(report) : formatText(report);
      if (flags.output) {
        try {
          writeFileSync(flags.output, text);
        } catch (err) {
          throw new StranglerError('STRANGLER_E_DIFFS_OUTPUT', `cannot write the report to ${flags.output}: ${describeCause(err)}`, { cause: err, hint: 'create the folder or pick another path' });
        }
        const ready = report.routes.filter((r) => r.ready).length;
        io.stdout.write(`wrote ${flags.format} report to ${flags.output}: ${ready} of ${report.routes.length} route(s) ready\n`);
        for (const r of report.routes) io.stdout.write(`  ${r.route}: ${r.compared} compared, mismatch ${pct(r.mismatchRate)} (≤ ${pct(r.mismatchUpper95)}), ${r.ready ? 'ready' : 'not ready'}\n`);
      } else io.stdout.write(text);
      if (!report.ready) throw notReady(report);
    });
}
