/**
 * MySQL DATETIME/TIMESTAMP/DATE strings (mysql2 `dateStrings`) → instants, in a declared zone.
 * MySQL stores DATETIME as a wall-clock value with no zone; the legacy app's zone is declared in the
 * config (`migrate.sourceTimeZone`, per-column `timeZone`). TIMESTAMP values are read from a session
 * whose time_zone is UTC, so their zone is always 'UTC'. A wall-clock time a DST change skipped or
 * repeated is refused (a dead letter), never guessed.
 */

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;

export type ParsedDate =
  | { kind: 'zero' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'ok'; y: number; mo: number; d: number; h: number; mi: number; s: number; micros: number };

export function parseMysqlDate(text: string): ParsedDate {
  const m = DATETIME.exec(text);
  if (!m) return { kind: 'invalid', reason: `"${text}" is not a MySQL date/time` };
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = m[4] === undefined ? 0 : +m[4];
  const mi = m[5] === undefined ? 0 : +m[5];
  const s = m[6] === undefined ? 0 : +m[6];
  const micros = m[7] === undefined ? 0 : +m[7] * 10 ** (6 - m[7].length);
  if (y === 0 && mo === 0 && d === 0) return { kind: 'zero' };
  if (mo === 0 || d === 0) return { kind: 'invalid', reason: `"${text}" has a zero month or day and is no real date` };
  if (mo > 12 || d > DAYS_IN_MONTH[mo - 1]! || (mo === 2 && d === 29 && !isLeap(y)) || h > 23 || mi > 59 || s > 59) {
    return { kind: 'invalid', reason: `"${text}" is not a calendar date` };
  }
  return { kind: 'ok', y, mo, d, h, mi, s, micros };
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** True for 0000-00-00 and 0000-00-00 00:00:00[.000000]. */
export function isZeroDate(text: string): boolean {
  return parseMysqlDate(text).kind === 'zero';
}

/** UTC by any of its names, or a zero offset (no DST, no offset: DATETIME is UTC). */
export function isUtcZone(zone: string): boolean {
  return /^(UTC|UCT|GMT|Z|Zulu|Universal|Etc\/(UTC|UCT|GMT|Universal|Zulu)|[+-]0?0:00)$/i.test(zone);
}

const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset at `utcMs` (second precision), from Intl: exact but ~8 µs a call. */
function exactOffsetMs(zone: string, utcMs: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

const DAY_MS = 86_400_000;
/** zone → UTC day → the offset all that day, or null on a day with a transition (computed exactly). */
const dayOffsets = new Map<string, Map<number, number | null>>();

/** The zone's offset from UTC in ms at the instant `utcMs`. */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  // A copy converts millions of values: Intl is asked twice per UTC day, not three times per value.
  let days = dayOffsets.get(zone);
  if (!days) dayOffsets.set(zone, (days = new Map()));
  const day = Math.floor(utcMs / DAY_MS);
  let offset = days.get(day);
  if (offset === undefined) {
    const start = exactOffsetMs(zone, day * DAY_MS);
    offset = start === exactOffsetMs(zone, (day + 1) * DAY_MS - 1000) ? start : null;
    if (days.size > 100_000) days.clear();
    days.set(day, offset);
  }
  return offset ?? exactOffsetMs(zone, utcMs);
}

/** What a wall-clock time denotes in a zone: one instant, none (a DST gap) or two (a DST overlap). */
export type WallClock = { kind: 'ok'; utcMs: number } | { kind: 'gap' } | { kind: 'overlap'; earlierMs: number; laterMs: number };

/**
 * The instant(s) a wall-clock time denotes in `zone`. A time in a DST gap never happened and one in
 * a DST overlap happened twice: both are reported as such, never guessed (the legacy app's intent
 * cannot be known; the caller refuses the value).
 */
export function resolveWallClock(zone: string, wallMs: number): WallClock {
  // The instants a wall clock can denote lie within ±14 h of it read as UTC (the widest offsets):
  // the offsets in force across that stretch are the only candidates.
  const candidates = new Set<number>();
  for (let h = -18; h <= 18; h += 9) candidates.add(zoneOffsetMs(zone, wallMs + h * 3_600_000));
  const instants = [...candidates].map((offset) => wallMs - offset).filter((utc) => utc + zoneOffsetMs(zone, utc) === wallMs);
  const unique = [...new Set(instants)].sort((a, b) => a - b);
  if (unique.length === 0) return { kind: 'gap' };
  if (unique.length === 1) return { kind: 'ok', utcMs: unique[0]! };
  return { kind: 'overlap', earlierMs: unique[0]!, laterMs: unique[unique.length - 1]! };
}

/**
 * A MySQL DATETIME/TIMESTAMP string in `zone` → Date (millisecond precision: digits below the
 * millisecond are dropped, which the plan reports as a risk when the data has any).
 */
export function mysqlDateTimeToDate(text: string, zone: string): { kind: 'zero' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; date: Date } {
  const p = parseMysqlDate(text);
  if (p.kind !== 'ok') return p;
  let wall = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, Math.floor(p.micros / 1000));
  // Date.UTC maps years 0..99 to 1900..1999; set the year explicitly.
  if (p.y < 100) wall = new Date(wall).setUTCFullYear(p.y);
  const r = resolveWallClock(zone, wall);
  if (r.kind === 'gap') return { kind: 'invalid', reason: `"${text}" never happened in ${zone} (the clocks jumped past it at a DST change): fix the row, or declare the column's zone` };
  if (r.kind === 'overlap') {
    const both = `${new Date(r.earlierMs).toISOString()} or ${new Date(r.laterMs).toISOString()}`;
    return { kind: 'invalid', reason: `"${text}" happened twice in ${zone} (the clocks went back at a DST change: ${both}); fix the row, or declare the column's zone` };
  }
  return { kind: 'ok', date: new Date(r.utcMs) };
}
