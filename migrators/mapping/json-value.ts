import { Datastore } from '@google-cloud/datastore';

/**
 * JSON text → a Datastore value, losing nothing. An object becomes an embedded entity: integers
 * become int64 (Datastore int), other numbers doubles, arrays arrays. When the value cannot be held
 * exactly — not an object at the top, a number JavaScript would round, an array nested directly in an
 * array (Datastore has no arrays of arrays), a property name Datastore reserves — the caller keeps the
 * JSON text as a string instead (unindexed).
 */
export type JsonMapping = { kind: 'entity'; value: Record<string, unknown> } | { kind: 'text'; why: string };

export function jsonToEntityValue(text: string): JsonMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'text', why: 'not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'text', why: 'not a JSON object' };
  const inexact = firstInexactNumber(text);
  if (inexact) return { kind: 'text', why: `number ${inexact} would lose digits` };
  try {
    return { kind: 'entity', value: convert(parsed, false) as Record<string, unknown> };
  } catch (err) {
    return { kind: 'text', why: (err as Error).message };
  }
}

function convert(v: unknown, inArray: boolean): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? Datastore.int(String(v)) : Datastore.double(v);
  if (Array.isArray(v)) {
    if (inArray) throw new Error('an array inside an array');
    return v.map((x) => convert(x, true));
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === '' || /^__.*__$/.test(k)) throw new Error(`property name "${k}" is reserved in Datastore`);
    out[k] = convert(x, false);
  }
  return out;
}

/**
 * The first number literal in the JSON text that a double cannot hold exactly: an integer beyond
 * 2^53, or more than 15 significant digits. Strings are skipped.
 */
export function firstInexactNumber(text: string): string | undefined {
  const re = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (const m of text.matchAll(re)) {
    const tok = m[0];
    if (tok.startsWith('"')) continue;
    if (/^-?\d+$/.test(tok)) {
      if (!Number.isSafeInteger(Number(tok))) return tok;
      continue;
    }
    const digits = tok.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
    if (digits.length > 15) return tok;
  }
  return undefined;
}
