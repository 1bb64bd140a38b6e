import { zoneOffsetMs } from '../mapping/datetime.js';

/** How far before the recorded watermark sync starts: clocks of app servers writing `updated_at`
 * drift, and a transaction that began before the backfill may commit a little after it. */
export const DEFAULT_MARGIN_SECONDS = 300;

const UTC_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * The lower bound for `updatedAt >= ?`, as the column holds it: the watermark (MySQL UTC time) minus
 * the margin, written as wall-clock time in `zone` — the declared zone of a DATETIME column, or
 * 'UTC' for a TIMESTAMP read in a UTC session. Microseconds are kept.
 */
export function syncThreshold(watermarkUtc: string, marginSeconds: number, zone: string): string {
  const m = UTC_TEXT.exec(watermarkUtc);
  if (!m) throw new Error(`not a MySQL UTC time: "${watermarkUtc}"`);
  const micros = Number((m[7] ?? '').padEnd(6, '0'));
  const utcMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) - marginSeconds * 1000;
  const wall = new Date(utcMs + zoneOffsetMs(zone, utcMs));
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}.${pad(micros, 6)}`
  );
}

/** The earliest of several watermarks (the shards of one table began at different moments). */
export function earliest(watermarks: readonly string[]): string | undefined {
  return [...watermarks].sort()[0];
}
