import { Command } from 'commander';
import { loadConfig, requireSection } from '../config/load.js';
import { createDatastoreCheckpointStore } from '../migrators/checkpoint/datastore.js';
import type { VerifyMark } from '../migrators/checkpoint/contract.js';
import { shardStatus, sortStatuses, type ShardStatus } from '../migrators/checkpoint/status.js';
import { checkCredentials, closeDatastore, createDatastore } from '../migrators/datastore/client.js';
import { createDatastoreSink } from '../migrators/datastore/sink.js';
import { FOLLOW_STREAM, type FollowMark } from '../migrators/checkpoint/contract.js';
import type { CliIo } from './io.js';
import { selectTables } from '../wiring/migrate.js';

function duration(s: number | null): string {
  if (s === null) return '?';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function verifyLine(v: VerifyMark): string {
  const total = v.missing + v.extra + v.fieldDiffs;
  // Not clean with no difference listed: a sampled pass that saw only the counts differ.
  const verdict = v.clean ? 'clean' : total === 0 ? 'counts differ' : `${total} difference(s) (${v.missing} missing, ${v.extra} extra, ${v.fieldDiffs} field diff(s))`;
  return `${v.table} last verify: ${verdict}; ${v.rows} row(s), ${v.entities} entit${v.entities === 1 ? 'y' : 'ies'}; finished ${v.at} (${(v.ms / 1000).toFixed(1)} s)`;
}

function line(s: ShardStatus): string {
  const pct = s.rowsTotal > 0 ? ` (${Math.min(100, Math.floor((s.rowsCopied / s.rowsTotal) * 100))}%)` : '';
  return (
    `${s.table} [shard ${s.shard}] ${s.state}: ${s.rowsCopied}/${s.rowsTotal} rows${pct}, last key ${s.lastKey ?? '-'}, ` +
    `${s.rate} rows/s, ETA ${s.state === 'done' ? '-' : duration(s.etaSeconds)}, ${s.retries} retries, ${s.deadLetters} dead letters, ` +
    `started ${s.startedAt}, updated ${s.updatedAt}`
  );
}

export function migrateStatusCommand(io: CliIo): Command {
  return new Command('status')
    .description('show each table and shard: rows copied, last key, rate, ETA, retries, dead letters; each table\'s last verify')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--json', 'print JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const config = loadConfig(opts.config, io.env);
      const migrate = requireSection(config, 'migrate');
      const tables = selectTables(migrate, undefined);
      const ds = createDatastore(migrate.target);
      try {
        // Checkpoints live in the target: status needs Datastore only, not MySQL.
        await checkCredentials(ds, migrate.target);
        await createDatastoreSink(ds, migrate.target).ping();
        const store = createDatastoreCheckpointStore(ds);
        const checkpoints = await store.list();
        const now = new Date();
        const statuses = sortStatuses(checkpoints.filter((c) => tables.includes(c.table)).map((c) => shardStatus(c, now)));
        const notStarted = tables.filter((t) => !statuses.some((s) => s.table === t));
        const verifies = (await Promise.all(tables.map((t) => store.getVerifyMark(t)))).filter((v): v is VerifyMark => v !== undefined);
        const follow = (await store.getStreamMark(FOLLOW_STREAM)) as FollowMark | undefined;
        if (opts.json) {
          io.stdout.write(JSON.stringify({ tables: statuses, notStarted, verifies, ...(follow ? { follow } : {}) }, null, 2) + '\n');
          return;
        }
        const lines = statuses.map(line);
        for (const t of notStarted) lines.push(`${t}: not started`);
        lines.push(...verifies.map(verifyLine));
        if (follow) {
          lines.push(
            `follow: at ${follow.file}:${follow.position}, lag ${follow.lagSeconds} s as of ${follow.updatedAt}, ` +
              `${follow.upserts} upsert(s), ${follow.deletes} delete(s), ${follow.deadLetters} dead letter(s), ${follow.skipped} reverse transaction(s) skipped`,
          );
        }
        io.stdout.write(lines.join('\n') + '\n');
      } finally {
        await closeDatastore(ds);
      }
    });
}
