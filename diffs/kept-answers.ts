/**
 * The two whole answers a mismatched pair keeps, so that the console opens it side by side: every
 * header and each body up to a limit (proxy.diffs.keepBodyBytes). The bodies are already in memory
 * in the shadow worker; JSON the engine parsed is kept as it parsed it (serialised once, with the
 * record), any other text as text. Masking happens where the rest of the record is masked, at the
 * store (redact-record.ts).
 */
import type { CapturedResponse } from '../proxy/shadow-contract.js';
import { classify, parseJson } from './body.js';
import type { KeptAnswer, KeptBody } from './types.js';

export const DEFAULT_KEEP_BODY_BYTES = 64 * 1024;

type Answer = Pick<CapturedResponse, 'headers' | 'body' | 'status'>;

function headersOf(a: Answer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The first `limit` bytes of a UTF-8 body as text, without a character cut in half. */
function cutText(body: Buffer, limit: number): string {
  let end = Math.min(limit, body.length);
  // Back off continuation bytes (10xxxxxx) so that the cut falls between characters.
  while (end > 0 && end < body.length && (body[end]! & 0xc0) === 0x80) end--;
  return body.toString('utf8', 0, end);
}

function keptBody(a: Answer, parsed: unknown, limit: number): KeptBody {
  const body = a.body;
  if (body === undefined || a.status === 0) return { bytes: 0, kind: 'binary', omitted: 'absent' };
  const type = a.headers['content-type'];
  const kind = classify(Array.isArray(type) ? type.join(', ') : type);
  const encoding = a.headers['content-encoding'];
  if (encoding !== undefined && String(encoding).trim().toLowerCase() !== 'identity') return { bytes: body.length, kind, omitted: 'encoded' };
  if (kind === 'binary') return { bytes: body.length, kind, omitted: 'binary' };
  if (body.length > limit) return { bytes: body.length, kind, text: cutText(body, limit), truncated: true };
  if (kind === 'json') {
    // The engine did not parse it when both bodies were byte-equal (a status or header difference).
    const json = parsed !== undefined ? { ok: true as const, value: parsed } : parseJson(body);
    if (json.ok) return { bytes: body.length, kind, json: json.value };
  }
  return { bytes: body.length, kind, text: body.toString('utf8') };
}

export function keptAnswers(legacy: Answer, next: Answer, json: { legacy?: unknown; new?: unknown } | undefined, limit: number): { legacy: KeptAnswer; new: KeptAnswer } {
  return {
    legacy: { headers: headersOf(legacy), body: keptBody(legacy, json?.legacy, limit) },
    new: { headers: headersOf(next), body: keptBody(next, json?.new, limit) },
  };
}
