/**
 * The path a route is matched against: the request path decoded once, with dot-segments resolved
 * and empty segments dropped, so that `/api/../admin`, `/api/%2e%2e/admin` or `//admin` match exactly
 * what `/admin` matches. `%252e` decodes once to the literal text `%2e`, never to a dot. The request
 * itself is forwarded with its original bytes; this string is only for matching.
 */
/** Anything that needs the slow path: an escape, a dot-segment, an empty segment, a backslash, a non-ASCII byte. */
const SLOW = /%|\/\.|\/\/|\\|[^\x00-\x7f]/;

/** The path part of a request target (no query string, no fragment). */
export function pathOf(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const h = rawUrl.indexOf('#');
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  return end === -1 ? rawUrl : rawUrl.slice(0, end);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/**
 * Percent-decodes once, as UTF-8; a malformed escape (`%zz`) is kept as it is. node:http hands the
 * request target over as latin1 (one char per byte), so raw UTF-8 bytes are recovered from it first.
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

/** Resolves `.` and `..`, drops empty segments, keeps a trailing slash; never climbs above `/`. */
export function resolveDots(path: string): string {
  const out: string[] = [];
  const parts = path.split('/');
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  const last = parts[parts.length - 1];
  const trailing = out.length > 0 && (last === '' || last === '.' || last === '..');
  return '/' + out.join('/') + (trailing ? '/' : '');
}

/** Whether a path is already normal (the common case, checked without allocating). */
function isPlain(path: string): boolean {
  return path.charCodeAt(0) === 0x2f && !SLOW.test(path);
}

/** The normalised path of a request target, for matching. */
export function normalisePath(rawUrl: string): string {
  const path = pathOf(rawUrl);
  if (isPlain(path)) return path;
  // A backslash is a separator to some backends (and to WHATWG URL parsing): treat it as one here
  // too, so `/api\..\admin` cannot slip past a route either.
  const decoded = decodeOnce(path).replace(/\\/g, '/');
  return resolveDots(decoded.startsWith('/') ? decoded : `/${decoded}`);
}
