/**
 * A GET whose two legacy answers differ like after a write: an id-like field (a link, a form action or
 * value, a JSON "id") whose value changed in one number only, as a new row's id does. Such a page
 * made a row when asked (an editor that creates a draft): mirroring and re-asking it writes again, so
 * the report lists it for proxy.shadow.exclude. A heuristic, shown as a hint, never a verdict.
 */
import type { Difference } from './types.js';

/** Where an id shows in a page or a document. */
const ID_LIKE = /(?:@(?:href|src|action|value|id|name|for|data-[\w-]+)|\/(?:[\w-]*_)?id|\/[\w-]*Id)$/i;

/** A URL's scheme and host: a number there (cdn3.example.com) is a random host, not an id. */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** The numbers of two strings when those are the only thing that differs between them; else undefined. */
function onlyNumberChanged(a: string, b: string): [string, string] | undefined {
  const ta = a.split(/(\d+)/);
  const tb = b.split(/(\d+)/);
  if (ta.length !== tb.length) return undefined;
  let changed: [string, string] | undefined;
  let at = 0;
  let offset = 0;
  for (let i = 0; i < ta.length; i++) {
    if (ta[i] !== tb[i]) {
      // Odd indexes are the numbers; a text part that differs is not "a new id".
      if (i % 2 === 0 || changed) return undefined;
      changed = [ta[i]!, tb[i]!];
      at = offset;
    }
    offset += ta[i]!.length;
  }
  if (changed && at < (ORIGIN.exec(a)?.[0].length ?? 0)) return undefined;
  return changed;
}

/** "html>body>form@action: 41 → 42" for the first id-like difference, else undefined. */
export function writeSuspect(legacyVsLegacy: readonly Difference[]): string | undefined {
  for (const d of legacyVsLegacy) {
    if (d.kind !== 'changed' || !ID_LIKE.test(d.path)) continue;
    const a = d.legacy;
    const b = d.new;
    if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) continue;
    const n = onlyNumberChanged(String(a), String(b));
    if (n && n[0] !== n[1]) return `${d.path}: ${n[0]} → ${n[1]}`;
  }
  return undefined;
}
