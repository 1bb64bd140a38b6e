import { zoneOffsetMs } from './datetime.js';

/**
 * The wall-clock stretches of a zone that a DST change skipped ('gap': those times never happened)
 * or repeated ('overlap': they happened twice), as MySQL DATETIME strings [from, to). The plan
 * counts the rows inside them: such a value has no single instant, so the copy refuses it.
 */
export interface DstWindow {
  kind: 'gap' | 'overlap';
  from: string;
  to: string;
}

const WEEK_MS = 7 * 86_400_000;

/** The zone's transitions from the start of `fromYear` to the end of `toYear` (UTC instants). */
export function transitions(zone: string, fromYear: number, toYear: number): { atMs: number; before: number; after: number }[] {
  const out: { atMs: number; before: number; after: number }[] = [];
  const end = Date.UTC(toYear + 1, 0, 1);
  // A week's step: no zone changes its offset twice within a week (Intl is asked ~52 times a year).
  for (let t = Date.UTC(fromYear, 0, 1); t < end; t += WEEK_MS) {
    const before = zoneOffsetMs(zone, t);
    const after = zoneOffsetMs(zone, t + WEEK_MS);
    if (before === after) continue;
    let lo = t;
    let hi = t + WEEK_MS; // offset(lo) = before, offset(hi) ≠ before: bisect to the second
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (zoneOffsetMs(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    out.push({ atMs: hi, before, after: zoneOffsetMs(zone, hi) });
  }
  return out;
}

function wallText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function dstWindows(zone: string, fromYear: number, toYear: number): DstWindow[] {
  return transitions(zone, fromYear, toYear).map(({ atMs, before, after }) =>
    after > before
      ? { kind: 'gap', from: wallText(atMs + before), to: wallText(atMs + after) }
      : { kind: 'overlap', from: wallText(atMs + after), to: wallText(atMs + before) },
  );
}
