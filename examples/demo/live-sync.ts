/**
 * `migrate follow` and `migrate reverse --watch` beside the live step, in the demo's own process
 * through the same functions the two commands call (wiring/follow-run.ts, wiring/reverse-run.ts).
 * The integration test runs the commands themselves as child processes behind the same interface.
 */
import { describeCause } from '../../core/errors.js';
import { runFollow } from '../../wiring/follow-run.js';
import type { MigrateContext } from '../../wiring/migrate.js';
import { runReverse } from '../../wiring/reverse-run.js';

export interface LiveSync {
  /** Resolves once both are under way. */
  start(): Promise<void>;
  /** What follow applied (MySQL → Datastore) and reverse wrote (Datastore → MySQL) so far. */
  counts(): { followed: number; reversed: number; skipped: number; conflicts: number };
  /** Why one of them stopped on its own, if it did. */
  failure(): string | undefined;
  stop(): Promise<void>;
}

export function inProcessSync(ctx: MigrateContext): LiveSync {
  const abort = new AbortController();
  const counts = { followed: 0, reversed: 0, skipped: 0, conflicts: 0 };
  let failure: string | undefined;
  let running: Promise<unknown>[] = [];
  const watch = <T>(p: Promise<T>, what: string) =>
    p.then(
      (v) => {
        if (!abort.signal.aborted) failure ??= `${what} stopped by itself`;
        return v;
      },
      (err: unknown) => {
        failure ??= `${what}: ${describeCause(err)}`;
      },
    );
  return {
    async start() {
      let started!: () => void;
      const following = new Promise<void>((resolve) => (started = resolve));
      running = [
        watch(
          runFollow(ctx, {
            signal: abort.signal,
            batchRows: 500,
            maxWaitMs: 50,
            onStart: () => started(),
            onBatch: (b) => {
              counts.followed += b.upserts + b.deletes;
              counts.skipped += b.skipped;
            },
          }),
          'follow',
        ),
        watch(
          runReverse(ctx, {
            batchSize: 500,
            watchMs: 200,
            signal: abort.signal,
            onConflict: () => counts.conflicts++,
            onPass: (r) => (counts.reversed += r.upserts + r.deletes),
          }),
          'reverse',
        ),
      ];
      await Promise.race([following, ...running]);
    },
    counts: () => ({ ...counts }),
    failure: () => failure,
    async stop() {
      abort.abort();
      await Promise.all(running);
    },
  };
}
