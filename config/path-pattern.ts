/**
 * Route path patterns: literal segments, named params (`:id`) and a trailing wildcard (`*`, or
 * `*name` to capture it). Pure parsing, shared by the config schema (to reject bad patterns at
 * load time) and the route matcher.
 */
export type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'wildcard'; name: string };

export type PatternResult = { ok: true; segments: Segment[] } | { ok: false; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePathPattern(pattern: string): PatternResult {
  if (!pattern.startsWith('/')) return { ok: false, reason: 'must start with "/"' };
  if (/[?#]/.test(pattern)) return { ok: false, reason: 'must not contain "?" or "#" (query strings are not matched)' };
  if (/\s/.test(pattern)) return { ok: false, reason: 'must not contain spaces' };
  const parts = pattern === '/' ? [] : pattern.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (part === '' && !last) return { ok: false, reason: 'has an empty segment ("//")' };
    if (part === '.' || part === '..') return { ok: false, reason: `has a dot-segment "${part}"` };
    if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!NAME.test(name)) return { ok: false, reason: `param "${part}" needs a name like ":id"` };
      if (names.has(name)) return { ok: false, reason: `param ":${name}" is used twice` };
      names.add(name);
      segments.push({ kind: 'param', name });
    } else if (part.startsWith('*')) {
      if (!last) return { ok: false, reason: 'a wildcard "*" may only be the last segment' };
      const name = part.slice(1) || 'wildcard';
      if (!NAME.test(name)) return { ok: false, reason: `wildcard "${part}" needs a name like "*rest"` };
      segments.push({ kind: 'wildcard', name });
    } else if (part.includes(':') || part.includes('*')) {
      return { ok: false, reason: `segment "${part}" mixes text with ":" or "*"; params and wildcards take a whole segment` };
    } else {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return { ok: false, reason: `segment "${part}" has a malformed %-escape` };
      }
      segments.push({ kind: 'literal', value });
    }
  }
  return { ok: true, segments };
}
