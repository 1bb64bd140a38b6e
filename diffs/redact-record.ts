/**
 * Masks configured fields (proxy.diffs.redact) in a record before it is stored: a difference whose
 * path names such a field, any such key inside a stored value, and such a query parameter in the
 * request path; in the whole answers a mismatched pair keeps, such a header and such a key in a JSON
 * body (parsed, or cut text). Field names compare case-insensitively. Headers that carry credentials
 * are masked in kept answers whatever the configuration.
 */
import { maskJsonText } from './mask-json-text.js';
import { splitPointer } from './pointer.js';
import type { DiffRecord, KeptAnswer } from './types.js';

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

/** Response headers whose values are credentials: never stored, configured or not. */
const CREDENTIAL_HEADERS = ['set-cookie', 'cookie', 'authorization', 'proxy-authorization'];

function maskAnswer(a: KeptAnswer, fields: ReadonlySet<string>): KeptAnswer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.headers)) headers[k] = fields.has(k) || CREDENTIAL_HEADERS.includes(k) ? MASK : v;
  if (fields.size === 0) return { ...a, headers };
  const body = { ...a.body };
  if ('json' in body) body.json = maskDeep(body.json, fields);
  if (body.text !== undefined && body.kind === 'json') body.text = maskJsonText(body.text, fields, MASK);
  return { headers, body };
}

/** Returns a masked copy (the input is left as it is); the same record when nothing needs masking. */
export function redactRecord(record: DiffRecord, redact: readonly string[]): DiffRecord {
  if (redact.length === 0 && !record.answers) return record;
  const fields = new Set(redact.map((f) => f.toLowerCase()));
  const answers = record.answers && { answers: { legacy: maskAnswer(record.answers.legacy, fields), new: maskAnswer(record.answers.new, fields) } };
  if (redact.length === 0) return { ...record, ...answers };
  return {
    ...record,
    ...answers,
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
