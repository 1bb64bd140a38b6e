/**
 * Playbook steps 1–3 with the migrators' own library functions, as `migrate plan`, `migrate run`
 * and `migrate verify` call them: plan (tables, key strategies, risks), run (rows copied, rows/s),
 * verify (clean).
 */
import { resolveFromConfig } from '../../config/load.js';
import { copyAllTables } from '../../migrators/copy/copy-tables.js';
import { openMigrate, type MigrateContext } from '../../wiring/migrate.js';
import { createDeadLetterFile } from '../../migrators/copy/dead-letters.js';
import { UNLIMITED } from '../../migrators/copy/rate-limiter.js';
import { WHOLE } from '../../migrators/keys/shard.js';
import { databaseOf, loadMappings } from '../../migrators/plan/load-mappings.js';
import { toPlan } from '../../migrators/plan/plan.js';
import { verifyTables } from '../../migrators/verify/verify-tables.js';
import { buildReadModel } from '../new-service/build-read-model.js';
import { DEMO_CONFIG_FILE } from './index.js';
import type { Step, StepContext } from './step.js';
import type { DemoStack } from './stack.js';

const n = (x: number) => x.toLocaleString('en-US');

export function openDemoMigrate(stack: DemoStack): Promise<MigrateContext> {
  return openMigrate(DEMO_CONFIG_FILE, { env: stack.configEnv });
}

export function planStep(ctx: MigrateContext): Step {
  return {
    name: 'plan',
    title: 'migrate plan: read the MySQL schema and data, propose kinds, keys and types, list the risks',
    async run() {
      const loaded = await loadMappings(ctx.migrate, ctx.source.reader, { file: ctx.config.file, baseDir: ctx.config.baseDir, facts: 'all' });
      const plan = toPlan(databaseOf(ctx.migrate.source), ctx.migrate, loaded);
      const tables = plan.tables.map((t) => ({
        table: t.table,
        kind: t.kind,
        rows: t.rows ?? t.rowEstimate,
        key: `${t.key.columns.join(', ')} → ${t.key.strategy === 'id' ? 'numeric id' : 'key name'}${t.key.parent ? `, ancestor ${t.key.parent.kind}(${t.key.parent.column})` : ''}`,
        properties: t.properties.length,
        unindexed: t.properties.filter((p) => !p.indexed).map((p) => p.property),
        skipped: t.skipped,
        risks: t.risks.map((r) => ({ level: r.level, code: r.code, ...(r.column ? { column: r.column } : {}), message: r.message })),
      }));
      const lines = tables.flatMap((t) => [
        `${t.table} → kind ${t.kind}: ${n(t.rows)} rows, key ${t.key}, ${t.properties} properties` +
          (t.unindexed.length ? `, unindexed: ${t.unindexed.join(', ')}` : '') +
          (t.skipped.length ? `, skipped: ${t.skipped.join(', ')}` : ''),
        ...t.risks.map((r) => `    ${r.level.padEnd(7)} ${r.column ? `${r.column}: ` : ''}${r.message}`),
      ]);
      const s = plan.summary;
      lines.push(`${s.tables} table(s), ${s.refused} refused, ${s.warnings} warning(s), ${s.infos} note(s)`);
      return { ok: s.refused === 0 && s.errors === 0, figures: { tables, refused: s.refused, errors: s.errors, warnings: s.warnings, infos: s.infos }, lines };
    },
  };
}

export function runStep(ctx: MigrateContext, stack: DemoStack): Step {
  return {
    name: 'run',
    title: 'migrate run: keyset chunks, concurrent commits, a checkpoint per chunk',
    async run(step: StepContext) {
      const deadFile = resolveFromConfig(ctx.config, ctx.migrate.deadLetters);
      const deadLetters = createDeadLetterFile(deadFile);
      const started = performance.now();
      const lastShown = new Map<string, number>();
      const results = await copyAllTables(ctx, {
        shard: WHOLE,
        deadLetters,
        limiter: UNLIMITED,
        batchSize: 500,
        concurrency: 8,
        dryRun: false,
        events: {
          progress: (e) => {
            if (performance.now() - (lastShown.get(e.table) ?? 0) < 1000) return;
            lastShown.set(e.table, performance.now());
            step.progress(`${e.table}: ${n(e.copied)}/${n(e.total)} rows, ${n(e.rate)} rows/s`);
          },
        },
        onTable: (r) =>
          step.progress(`${r.table} → ${r.kind}: ${n(r.copied)} rows in ${(r.ms / 1000).toFixed(1)} s (${n(rate(r.copied, r.ms))} rows/s), ${r.deadLetters} dead letter(s)`),
      });
      const ms = performance.now() - started;
      const copied = results.reduce((s, r) => s + r.copied, 0);
      const dead = results.reduce((s, r) => s + r.deadLetters, 0);
      const tables = results.map((r) => ({ table: r.table, kind: r.kind, rows: stack.seed.counts[r.table], copied: r.copied, rowsPerSecond: rate(r.copied, r.ms), deadLetters: r.deadLetters, retries: r.retries, ms: r.ms }));
      const expected = Object.values(stack.seed.counts).reduce((s, x) => s + x, 0);
      return {
        ok: dead === 0 && copied === expected,
        figures: { tables, copied, rowsPerSecond: rate(copied, ms), deadLetters: dead, retries: ctx.retries.count },
        lines: [`${n(copied)} rows copied into ${results.length} kinds in ${(ms / 1000).toFixed(1)} s (${n(rate(copied, ms))} rows/s), ${dead} dead letter(s), ${ctx.retries.count} retries`],
      };
    },
  };
}

function rate(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows / ms) * 1000) : 0;
}

export function verifyStep(ctx: MigrateContext): Step {
  return {
    name: 'verify',
    title: 'migrate verify: counts, chunk hashes, rows (each result kept in the checkpoint store)',
    async run() {
      const tables = [];
      // As `migrate verify` does: each table's result is kept where the readiness gate reads it.
      const report = await verifyTables({ tables: ctx.tables, source: ctx.source, sink: ctx.sink, toKey: ctx.toKey, sample: 100, concurrency: 8, store: ctx.store });
      for (const v of report.tables) {
        tables.push({
          table: v.table,
          kind: v.kind,
          rows: v.sourceRows,
          entities: v.targetEntities,
          chunks: v.chunks,
          chunksDiffering: v.chunksDiffering,
          missing: v.counts.MISSING_IN_TARGET,
          extra: v.counts.EXTRA_IN_TARGET,
          fieldDiffs: v.counts.FIELD_DIFF,
          clean: v.clean,
          ms: v.ms,
        });
      }
      const clean = tables.every((t) => t.clean);
      const lines = tables.map(
        (t) =>
          `${t.clean ? 'CLEAN' : 'DIFF '} ${t.table} → ${t.kind}: ${n(t.rows)} rows = ${n(t.entities)} entities, ${t.chunks} chunk hashes compared, ` +
          `${t.missing} missing, ${t.extra} extra, ${t.fieldDiffs} field diffs (${(t.ms / 1000).toFixed(1)} s)`,
      );
      return { ok: clean, figures: { clean, tables }, lines };
    },
  };
}

export function readModelStep(stack: DemoStack): Step {
  return {
    name: 'index',
    title: "the new service's read model: the ids each user, activity and chat lists, from the migrated entities",
    async run() {
      const s = await buildReadModel(stack.fresh().datastore);
      return {
        ok: s.users > 0 && s.activities > 0 && s.chats > 0,
        figures: { ...s },
        lines: [`${n(s.users)} UserIndex, ${n(s.activities)} ActivityIndex and ${n(s.chats)} ChatIndex entities in ${(s.ms / 1000).toFixed(1)} s: every read of the new service is a few lookups by key`],
        problem: 'the read model came out empty',
      };
    },
  };
}
