/**
 * JSON Pointers (RFC 6901) and the "*" patterns of the diff rules. A pattern segment "*" matches any
 * one key or index. Generic paths replace every all-digit segment by "*", so the differences of
 * many requests aggregate per field ("/friends/*\/online"), whatever the array index or numeric map key.
 */

export function escapeSegment(key: string): string {
  if (key.indexOf('~') === -1 && key.indexOf('/') === -1) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => (s.indexOf('~') === -1 ? s : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

export function joinPointer(segments: readonly string[]): string {
  return segments.length === 0 ? '' : '/' + segments.map(escapeSegment).join('/');
}

const INDEX_SEGMENT = /\/\d+(?=\/|$)/g;
/** In an element path: a sibling rank "[2]", and digits in an id ("#post-12"). */
const MARKUP_RANK = /\[\d+\]/g;
const MARKUP_ID = /#[^>.@/[]+/g;

export function isMarkupPath(path: string): boolean {
  return path !== '' && path[0] !== '/' && path[0] !== '@';
}

/**
 * "/friends/3/online" → "/friends/*\/online"; "ul>li[3]>a@href" → "ul>li>a@href",
 * "article#post-12>h2" → "article#post-*>h2"; "@status" stays as it is.
 */
export function genericPath(path: string): string {
  if (path.startsWith('/')) return path.replace(INDEX_SEGMENT, '/*');
  if (!isMarkupPath(path)) return path;
  const ranked = path.indexOf('[') === -1 ? path : path.replace(MARKUP_RANK, '');
  return /\d/.test(ranked) ? ranked.replace(MARKUP_ID, (id) => id.replace(/\d+/g, '*')) : ranked;
}

export type Pattern = readonly string[];

export function compilePattern(pointer: string): Pattern {
  return splitPointer(pointer);
}

/** The pattern names exactly this location. */
export function matchesExactly(pattern: Pattern, segments: readonly string[]): boolean {
  if (pattern.length !== segments.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '*' && pattern[i] !== segments[i]) return false;
  }
  return true;
}

/** The pattern names this location or one of its ancestors. */
export function covers(pattern: Pattern, segments: readonly string[]): boolean {
  if (pattern.length > segments.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '*' && pattern[i] !== segments[i]) return false;
  }
  return true;
}

/** Some pattern covers this path; paths outside the body ("@status", "@headers/…") never match a pointer. */
export function pathCovered(patterns: readonly Pattern[], path: string): boolean {
  if (path !== '' && !path.startsWith('/')) return false;
  const segments = splitPointer(path);
  return patterns.some((p) => covers(p, segments));
}
