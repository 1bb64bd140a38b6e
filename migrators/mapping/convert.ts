import { Datastore } from '@google-cloud/datastore';
import { mysqlDateTimeToDate, parseMysqlDate } from './datetime.js';
import { jsonToEntityValue } from './json-value.js';
import { INT64_MAX, INT64_MIN, type PropertyType } from './types.js';

/**
 * One mysql2 value (read with the lossless options of migrators/mysql/connect.ts: BIGINT/DECIMAL as
 * strings, dates as strings, JSON as text, binary as Buffer) → the Datastore value of a property type.
 * Exact or refused: a value that cannot be converted without loss is an error, never a rounding.
 */
export type Converted = { ok: true; value: unknown; zeroDate?: boolean } | { ok: false; reason: string };

const ok = (value: unknown): Converted => ({ ok: true, value });
const fail = (reason: string): Converted => ({ ok: false, reason });
const utf8 = new TextDecoder('utf-8', { fatal: true });

function show(v: unknown): string {
  if (Buffer.isBuffer(v)) return `0x${v.subarray(0, 16).toString('hex')}${v.length > 16 ? '…' : ''}`;
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function toBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim());
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (Buffer.isBuffer(v) && v.length > 0 && v.length <= 8) return BigInt(`0x${v.toString('hex')}`); // BIT(n)
  return undefined;
}

function toInt(v: unknown): Converted {
  const n = toBigInt(v);
  if (n === undefined) return fail(`${show(v)} is not a whole number`);
  if (n > INT64_MAX || n < INT64_MIN) return fail(`${show(v)} is outside the int64 range of a Datastore integer`);
  return ok(Datastore.int(n.toString()));
}

function toDouble(v: unknown): Converted {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) return fail(`${show(v)} is not a finite number`);
  return ok(Datastore.double(n));
}

function toText(v: unknown): Converted {
  if (typeof v === 'string') return ok(v);
  if (typeof v === 'number' || typeof v === 'bigint') return ok(String(v));
  if (Buffer.isBuffer(v)) {
    try {
      return ok(utf8.decode(v));
    } catch {
      return fail(`${show(v)} is not valid UTF-8 text; map the column as blob`);
    }
  }
  return fail(`${show(v)} is not text`);
}

function toBoolean(v: unknown): Converted {
  const n = toBigInt(v);
  if (n === 0n) return ok(false);
  if (n === 1n) return ok(true);
  return fail(`${show(v)} is not 0 or 1, so it is no boolean; map the column as int`);
}

function toTimestamp(v: unknown, zone: string): Converted {
  if (typeof v !== 'string') return fail(`${show(v)} is not a date/time string`);
  const r = mysqlDateTimeToDate(v, zone);
  if (r.kind === 'zero') return { ok: true, value: null, zeroDate: true };
  if (r.kind === 'invalid') return fail(r.reason);
  return ok(r.date);
}

function toDate(v: unknown): Converted {
  if (typeof v !== 'string') return fail(`${show(v)} is not a date string`);
  const p = parseMysqlDate(v);
  if (p.kind === 'zero') return { ok: true, value: null, zeroDate: true };
  if (p.kind === 'invalid') return fail(p.reason);
  if (p.h || p.mi || p.s || p.micros) return fail(`${show(v)} has a time of day; map the column as timestamp`);
  return ok(v.slice(0, 10));
}

function toDecimal(v: unknown): Converted {
  if (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return ok(v);
  if (typeof v === 'number' && Number.isFinite(v)) return ok(String(v));
  return fail(`${show(v)} is not a decimal number`);
}

function toEntity(v: unknown): Converted {
  const text = toText(v);
  if (!text.ok) return text;
  const mapped = jsonToEntityValue(text.value as string);
  return ok(mapped.kind === 'entity' ? mapped.value : text.value);
}

function toBlob(v: unknown): Converted {
  if (Buffer.isBuffer(v)) return ok(v);
  if (typeof v === 'string') return ok(Buffer.from(v, 'utf8'));
  return fail(`${show(v)} is not binary data`);
}

function toArray(v: unknown): Converted {
  const text = toText(v);
  if (!text.ok) return text;
  const s = text.value as string;
  return ok(s === '' ? [] : s.split(','));
}

/** NULL stays null for every type; anything else goes through the type's converter. */
export function convertValue(v: unknown, type: PropertyType, zone = 'UTC'): Converted {
  if (v === null || v === undefined) return ok(null);
  switch (type) {
    case 'int':
      return toInt(v);
    case 'double':
      return toDouble(v);
    case 'decimal':
      return toDecimal(v);
    case 'string':
    case 'json':
      return toText(v);
    case 'boolean':
      return toBoolean(v);
    case 'timestamp':
      return toTimestamp(v, zone);
    case 'date':
      return toDate(v);
    case 'entity':
      return toEntity(v);
    case 'blob':
      return toBlob(v);
    case 'array':
      return toArray(v);
  }
}
