/**
 * Masks configured fields (proxy.diffs.redact) in a record before it is stored: a difference whose
 * path names such a field, any such key inside a stored value, and such a query parameter in the
 * request path. Field names compare case-insensitively.
 */
import { splitPointer } from './pointer.js';
import type { DiffRecord } from './types.js';

export const MASK = '***';

function maskDeep(v: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, fields));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fields.has(k.toLowerCase()) ? MASK : maskDeep(x, fields);
    return out;
  }
  return v;
}

function maskQuery(path: string, fields: ReadonlySet<string>): string {
  const q = path.indexOf('?');
  if (q === -1) return path;
  const params = path
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq === -1 ? p : p.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: compare the raw name
      }
      return eq !== -1 && fields.has(decoded.toLowerCase()) ? `${name}=${MASK}` : p;
    });
  return `${path.slice(0, q)}?${params.join('&')}`;
}

/** Returns a masked copy (the input is left as it is); the same record when nothing is configured. */
export function redactRecord(record: DiffRecord, redact: readonly string[]): DiffRecord {
  if (redact.length === 0) return record;
  const fields = new Set(redact.map((f) => f.toLowerCase()));
  return {
    ...record,
    path: maskQuery(record.path, fields),
    differences: record.differences.map((d) => {
      const named = d.path.startsWith('@headers/')
        ? fields.has(d.path.slice('@headers/'.length))
        : d.path.startsWith('/') && splitPointer(d.path).some((s) => fields.has(s.toLowerCase()));
      const out = { ...d };
      if ('legacy' in d) out.legacy = named ? MASK : maskDeep(d.legacy, fields);
      if ('new' in d) out.new = named ? MASK : maskDeep(d.new, fields);
      return out;
    }),
  };
}
