import type { ErrorCode } from '../core/errors.js';

/**
 * The canonical path of a request, decided once and then used both to match a route and as the
 * path the backend is sent, so that the route a request matches is the request the backend gets
 * (Envoy's normalize_path + merge_slashes + path_with_escaped_slashes_action, in one pass):
 *
 * - `%XX` of an unreserved character (RFC 3986 §2.3: letters, digits, - . _ ~) is decoded, any other
 *   escape is kept with upper-case hex, a raw byte above 0x7e is escaped;
 * - empty segments are merged (`//` is `/`), `.` and `..` are resolved; a `..` above `/` is refused;
 * - a control character, raw or escaped (`%00`, `%0a`, `%7f`), and a malformed escape are refused;
 * - `%2F`, `%5C` and a raw `\` follow `escapedSlashes`: `reject` (the default), `keep` (a character
 *   inside a segment: forwarded as it came, matched as text) or `unescape` (a separator).
 *
 * The string a route is matched against is the canonical path decoded once (escaped slashes stay
 * text), so the two cannot disagree. Pure string functions; proxy/request-target.ts applies them.
 */
export type EscapedSlashes = 'reject' | 'keep' | 'unescape';

export interface PathRules {
  readonly escapedSlashes: EscapedSlashes;
}

export interface Rejected {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Anything that needs the slow path: an escape, a dot-segment, an empty segment, a backslash, a
 * control, space or non-ASCII byte. Measured reason for the split: the slow path builds the path
 * char by char; the plain path (every request of the proxy bench) only runs this one regular
 * expression and allocates nothing.
 */
const SLOW = /%|\/\.|\/\/|\\|[^\x21-\x7e]/;

/** Whether a path (no query) is already canonical: starts with "/" and needs none of the rules. */
export function isPlainPath(path: string): boolean {
  return path.charCodeAt(0) === 0x2f && !SLOW.test(path);
}

/** The path part of a request target (no query string, no fragment). */
export function pathOf(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const h = rawUrl.indexOf('#');
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  return end === -1 ? rawUrl : rawUrl.slice(0, end);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const refuse = (code: ErrorCode, message: string): Rejected => ({ code, message });

/**
 * The canonical form of a path that starts with "/" (no query), or why it is refused. node:http
 * hands the target over as latin1 (one char per byte), so a char is a byte here.
 */
export function canonicalPath(path: string, rules: PathRules): string | Rejected {
  const segments: string[] = [];
  let seg = '';
  // Whether the path ends with "/" (a last empty segment, or a resolved dot-segment).
  let trailing = false;
  let climbed = false;
  const endSegment = (): void => {
    if (seg === '' || seg === '.') trailing = true;
    else if (seg === '..') {
      if (segments.pop() === undefined) climbed = true;
      trailing = true;
    } else {
      segments.push(seg);
      trailing = false;
    }
    seg = '';
  };
  for (let i = 1; i < path.length; i++) {
    let c = path.charCodeAt(i);
    let escaped = false;
    if (c === 0x25) {
      const hi = hexValue(path.charCodeAt(i + 1));
      const lo = hexValue(path.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return refuse('STRANGLER_E_PROXY_PATH_MALFORMED', 'the request path has a malformed %-escape');
      c = hi * 16 + lo;
      i += 2;
      escaped = true;
    }
    if (c < 0x20 || c === 0x7f) return refuse('STRANGLER_E_PROXY_PATH_CONTROL', 'the request path holds a control character');
    if (c === 0x2f && !escaped) {
      endSegment();
      if (climbed) break;
    } else if (c === 0x2f || c === 0x5c) {
      if (rules.escapedSlashes === 'reject') {
        return refuse('STRANGLER_E_PROXY_PATH_ESCAPED_SLASH', `the request path holds ${escaped ? 'an escaped' : 'a'} ${c === 0x2f ? 'slash' : 'backslash'}`);
      }
      if (rules.escapedSlashes === 'unescape') {
        endSegment();
        if (climbed) break;
      } else seg += escaped ? (c === 0x2f ? '%2F' : '%5C') : '\\';
    } else if (!escaped && c > 0x20 && c < 0x7f) {
      seg += path[i];
    } else {
      const ch = String.fromCharCode(c);
      seg += escaped && UNRESERVED.test(ch) ? ch : '%' + HEX[c >> 4]! + HEX[c & 15]!;
    }
  }
  if (!climbed) endSegment();
  if (climbed) return refuse('STRANGLER_E_PROXY_PATH_CLIMB', 'the request path climbs above "/"');
  return '/' + segments.join('/') + (trailing && segments.length > 0 ? '/' : '');
}

/**
 * Percent-decodes once, as UTF-8 (an invalid sequence becomes U+FFFD); a malformed escape (`%zz`)
 * is kept as it is.
 */
export function decodeOnce(path: string): string {
  const src = /[^\x00-\xff]/.test(path) ? Buffer.from(path, 'utf8') : Buffer.from(path, 'latin1');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]!);
      const lo = hexValue(src[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.toString('utf8', 0, n);
}

/** The string routes match: a canonical path decoded once, escaped slashes kept as the text `%2F` / `%5C`. */
export function matchPathOf(canonical: string): string {
  if (!canonical.includes('%')) return canonical;
  return decodeOnce(canonical.replace(/%(2F|5C)/g, '%25$1'));
}

/** The path routes match for a raw origin-form target, or why it is refused (for tests and tools). */
export function normalisePath(rawUrl: string, rules: PathRules = { escapedSlashes: 'reject' }): string | Rejected {
  const path = pathOf(rawUrl);
  if (isPlainPath(path)) return path;
  const canonical = canonicalPath(path, rules);
  return typeof canonical === 'string' ? matchPathOf(canonical) : canonical;
}
