import { createServer } from 'node:http';
import client from 'prom-client';
import { openBinlogStream, type BinlogStream, type BinlogStreamOptions } from '../migrators/follow/binlog-stream.js';
import { databaseOf } from '../migrators/plan/load-mappings.js';
import type { MigrateContext } from './migrate.js';

/** The binlog reader for the context's source and tables (the one adapter follow reads through). */
export function binlogOpener(ctx: MigrateContext): (o: Pick<BinlogStreamOptions, 'from' | 'onTransaction' | 'onPosition' | 'onError'>) => Promise<BinlogStream> {
  const tables = ctx.tables.map((t) => t.name);
  const database = databaseOf(ctx.migrate.source);
  return (o) => openBinlogStream({ ...o, url: ctx.migrate.source, database, tables, replicaId: ctx.migrate.follow.replicaId });
}

export interface FollowMetrics {
  lag: client.Gauge;
  changes: client.Counter<'op'>;
  close(): Promise<void>;
}

/** follow's lag and changes as Prometheus metrics on 127.0.0.1:PORT/metrics. */
export function serveFollowMetrics(port: number): FollowMetrics {
  const registry = new client.Registry();
  const lag = new client.Gauge({ name: 'strangler_follow_lag_seconds', help: 'Seconds the last applied binlog change was behind its commit in MySQL (0: caught up)', registers: [registry] });
  const changes = new client.Counter({ name: 'strangler_follow_changes_total', help: 'Changes follow applied to Datastore, by operation', labelNames: ['op'] as const, registers: [registry] });
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
  });
  server.listen(port, '127.0.0.1');
  return { lag, changes, close: () => new Promise<void>((r) => server.close(() => r())) };
}
