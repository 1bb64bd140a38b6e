import cliProgress from 'cli-progress';
import type { CopyEvents, RampProgress } from '../migrators/copy/copy-input.js';
import type { CliIo } from './io.js';

export interface ProgressReporter {
  events: CopyEvents;
  /** One line for anything else worth saying (a retry storm, a restart). */
  note(table: string, message: string): void;
  stop(): void;
}

function eta(copied: number, total: number, rate: number): number | null {
  return rate > 0 && total > copied ? Math.round((total - copied) / rate) : total <= copied ? 0 : null;
}

/** ' (ramp 750/s, 1125/s in 4:12)': the write ramp's current and next step, for the bar. */
export function rampText(ramp: RampProgress | undefined): string {
  if (!ramp) return '';
  const s = ramp.nextInSeconds;
  const next = ramp.nextRate > ramp.rate ? `, ${ramp.nextRate}/s in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : '';
  return ` (ramp ${ramp.rate}/s${next})`;
}

/**
 * Progress of a run: a cli-progress bar (rows/s, ETA) when stderr is a terminal, otherwise one JSON
 * line per event on stdout, at most one progress line per second per shard, for log collectors.
 */
export function createProgressReporter(io: CliIo, intervalMs = 1000): ProgressReporter {
  if (io.stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      {
        format: '{table} {shard} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s{ramp} | ETA {eta_formatted}',
        stream: io.stderr as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    const byShard = new Map<string, cliProgress.SingleBar>();
    return {
      events: {
        start: (e) => void byShard.set(`${e.table}#${e.shard}`, bars.create(Math.max(e.total, 1), e.resumedAt ?? 0, { table: e.table, shard: e.shard, rate: 0, ramp: rampText(e.ramp) })),
        progress: (e) => {
          const bar = byShard.get(`${e.table}#${e.shard}`);
          if (e.copied > e.total) bar?.setTotal(e.copied);
          bar?.update(e.copied, { rate: e.rate, ramp: rampText(e.ramp) });
        },
        notice: (e) => bars.log(`${e.table} ${e.shard}: ${e.message}\n`),
      },
      note: (table, message) => bars.log(`${table}: ${message}\n`),
      stop: () => bars.stop(),
    };
  }
  const last = new Map<string, number>();
  const line = (o: Record<string, unknown>) => io.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
  return {
    events: {
      start: (e) => line({ event: 'start', ...e }),
      progress: (e) => {
        const id = `${e.table}#${e.shard}`;
        const now = performance.now();
        if (now - (last.get(id) ?? -Infinity) < intervalMs) return;
        last.set(id, now);
        line({ event: 'progress', ...e, etaSeconds: eta(e.copied, e.total, e.rate) });
      },
      notice: (e) => line({ event: 'notice', ...e }),
    },
    note: (table, message) => line({ event: 'notice', table, message }),
    stop: () => undefined,
  };
}
