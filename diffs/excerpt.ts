/**
 * Values kept in a record are bounded: a long text is cut to an excerpt around what differs, so each
 * difference of a page carries its own readable context and a record stays small.
 */

/** Characters of context kept before and after the differing part. */
const CONTEXT = 40;
/** The longest excerpt of one side. */
export const MAX_EXCERPT = 200;

/** The text itself when short, else its start, cut with "…". */
export function snippet(s: string, max = MAX_EXCERPT): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/**
 * Both texts around the part where they differ (common start and common end left out beyond
 * CONTEXT characters), each at most `max` characters.
 */
export function excerptPair(a: string, b: string, max = MAX_EXCERPT): [string, string] {
  if (a.length <= max && b.length <= max) return [a, b];
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < n - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  // Short excerpts keep less context, so that the differing part itself fits.
  const context = Math.min(CONTEXT, Math.floor(max / 4));
  const from = Math.max(0, p - context);
  const cut = (t: string) => {
    const to = Math.min(t.length, t.length - s + context, from + max);
    return (from > 0 ? '…' : '') + t.slice(from, to) + (to < t.length ? '…' : '');
  };
  return [cut(a), cut(b)];
}
