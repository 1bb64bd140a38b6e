/**
 * The form a record is stored in: configured fields masked first (so nothing secret survives inside a
 * cut value), long values cut, then one JSON line with registered secrets masked (core/redact.ts).
 */
import { redact } from '../core/redact.js';
import { redactRecord } from './redact-record.js';
import type { DiffRecord } from './types.js';

/** A stored value longer than this (as JSON) is cut: a record must stay a short line. */
export const MAX_VALUE_CHARS = 1024;

export function truncateValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    return typeof v === 'string' && v.length > MAX_VALUE_CHARS ? v.slice(0, MAX_VALUE_CHARS) + '…' : v;
  }
  const text = JSON.stringify(v);
  return text.length > MAX_VALUE_CHARS ? { $truncated: text.slice(0, MAX_VALUE_CHARS) + '…', chars: text.length } : v;
}

export function toStoredLine(record: DiffRecord, redactFields: readonly string[]): string {
  const masked = redactRecord(record, redactFields);
  const stored: DiffRecord = {
    ...masked,
    differences: masked.differences.map((d) => {
      const out = { ...d };
      if ('legacy' in d) out.legacy = truncateValue(d.legacy);
      if ('new' in d) out.new = truncateValue(d.new);
      return out;
    }),
  };
  return redact(JSON.stringify(stored));
}
