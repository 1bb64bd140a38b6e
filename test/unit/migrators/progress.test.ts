import { createProgressReporter } from '../../../cli/migrate-progress.js';

describe('migrate run progress', () => {
  test('not a terminal: JSON lines, at most one progress line per interval per shard', () => {
    const lines: string[] = [];
    const io = { stdout: { write: (s: string) => lines.push(s) }, stderr: { write: () => undefined, isTTY: false }, env: {} };
    const p = createProgressReporter(io, 60_000);
    p.events.start!({ table: 'users', shard: '0/1', total: 100, resumedAt: null, watermark: 'w' });
    p.events.progress!({ table: 'users', shard: '0/1', copied: 10, total: 100, rate: 5, lastKey: '10' });
    p.events.progress!({ table: 'users', shard: '0/1', copied: 20, total: 100, rate: 5, lastKey: '20' });
    p.events.progress!({ table: 'users', shard: '1/2', copied: 20, total: 100, rate: 5, lastKey: '20' });
    p.stop();
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.event, e.shard, e.copied ?? null])).toEqual([
      ['start', '0/1', null],
      ['progress', '0/1', 10],
      ['progress', '1/2', 20],
    ]);
    expect(events[1]).toMatchObject({ rate: 5, etaSeconds: 18 });
  });

  test('a terminal: a bar per shard with rows, rows/s and ETA on stderr, nothing on stdout', () => {
    let err = '';
    let out = '';
    const stderr = { write: (s: string) => ((err += s), true), isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => stderr, removeListener: () => stderr };
    const io = { stdout: { write: (s: string) => (out += s) }, stderr, env: {} };
    const p = createProgressReporter(io);
    p.events.start!({ table: 'users', shard: '0/1', total: 1000, resumedAt: 200, watermark: 'w' });
    p.events.progress!({ table: 'users', shard: '0/1', copied: 500, total: 1000, rate: 250, lastKey: '500' });
    p.stop();
    expect(out).toBe('');
    expect(err).toMatch(/users 0\/1 \[[^\]]+\] 50% \| 500\/1000 rows \| 250 rows\/s \| ETA \S+/);
  });
});
