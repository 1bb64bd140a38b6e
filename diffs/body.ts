/**
 * How two bodies are compared depends on what they are: JSON, HTML and XML structurally, other text
 * line by line after whitespace normalisation, anything else by SHA-256 (a hash says "differs"
 * without storing the bytes).
 */
import { createHash } from 'node:crypto';

export type BodyClass = 'json' | 'html' | 'xml' | 'text' | 'binary';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/;
const HTML_TYPE = /^text\/html\b|^application\/xhtml\+xml\b/;
const XML_TYPE = /^application\/(?:[\w.+-]+\+)?xml\b|^text\/xml\b/;
const TEXT_TYPE = /^text\/|^application\/(?:javascript|x-www-form-urlencoded)\b/;

export function classify(contentType: string | undefined): BodyClass {
  const ct = (contentType ?? '').trim().toLowerCase();
  if (JSON_TYPE.test(ct)) return 'json';
  if (HTML_TYPE.test(ct)) return 'html';
  if (XML_TYPE.test(ct)) return 'xml';
  if (TEXT_TYPE.test(ct)) return 'text';
  return 'binary';
}

export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function sha256(body: Buffer): string {
  return 'sha256:' + createHash('sha256').update(body).digest('hex');
}

const EXCERPT = 60;

/** The two texts around their first difference, short enough to store and read. */
export function excerpts(a: string, b: string): [string, string] {
  let i = 0;
  const n = Math.min(a.length, b.length);
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const from = Math.max(0, i - EXCERPT / 2);
  const cut = (s: string) => (from > 0 ? '…' : '') + s.slice(from, from + EXCERPT) + (s.length > from + EXCERPT ? '…' : '');
  return [cut(a), cut(b)];
}

export type Parsed = { ok: true; value: unknown } | { ok: false };

export function parseJson(body: Buffer): Parsed {
  try {
    const text = body.toString('utf8');
    // PHP files saved with a BOM emit it before the JSON.
    return { ok: true, value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    return { ok: false };
  }
}
