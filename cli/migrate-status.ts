import { Command } from 'commander';
import { loadConfig, requireSection } from '../config/load.js';
import { createDatastoreCheckpointStore } from '../migrators/checkpoint/datastore.js';
import { shardStatus, sortStatuses, type ShardStatus } from '../migrators/checkpoint/status.js';
import { checkCredentials, closeDatastore, createDatastore } from '../migrators/datastore/client.js';
import { createDatastoreSink } from '../migrators/datastore/sink.js';
import { FOLLOW_STREAM, type FollowMark } from '../migrators/follow/follow.js';
import type { CliIo } from './io.js';
import { selectTables } from '../wiring/migrate.js';

function duration(s: number | null): string {
  if (s === null) return '?';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
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
    .description('show each table and shard: rows copied, last key, rate, ETA, retries, dead letters')
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
        const checkpoints = await createDatastoreCheckpointStore(ds).list();
        const now = new Date();
        const statuses = sortStatuses(checkpoints.filter((c) => tables.includes(c.table)).map((c) => shardStatus(c, now)));
        const notStarted = tables.filter((t) => !statuses.some((s) => s.table === t));
        const store = createDatastoreCheckpointStore(ds);
        const follow = (await store.getStreamMark(FOLLOW_STREAM)) as FollowMark | undefined;
        if (opts.json) {
          io.stdout.write(JSON.stringify({ tables: statuses, notStarted, ...(follow ? { follow } : {}) }, null, 2) + '\n');
          return;
        }
        const lines = statuses.map(line);
        for (const t of notStarted) lines.push(`${t}: not started`);
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
