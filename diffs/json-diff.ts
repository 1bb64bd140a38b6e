/**
 * Structural comparison of two parsed JSON documents under a route's rules: a deep-equality fast path,
 * the rules' pre-walk (reconcile.ts), then jsondiffpatch for what still differs.
 */
import { create } from 'jsondiffpatch';
import { deltaToDifferences } from './delta.js';
import { jsonEqual } from './json-equal.js';
import { narrowPair } from './narrow.js';
import { pathCovered } from './pointer.js';
import { itemKeys, reconcile } from './reconcile.js';
import type { CompiledRules } from './rules.js';
import type { Difference, NormaliseCounts } from './types.js';

/**
 * Items of key-matched arrays, and of lists that hold the same items in another order, hash to the key
 * the pre-walk gave them; any other object hashes to its position, which is what jsondiffpatch does
 * without an objectHash (match by position). Key-matched lists whose keys already sit at the same
 * positions on both sides get no keys: there, position and key match the same items.
 */
const patcher = create({
  objectHash: (item: object, index?: number) => itemKeys.get(item) ?? `#${index}`,
  arrays: { detectMove: true, includeValueOnMove: false },
});

export function diffJson(legacy: unknown, next: unknown, rules: CompiledRules, counts: NormaliseCounts): Difference[] {
  let differences: Difference[];
  try {
    // The pre-walk starts with a deep-equality check, so equal documents cost one pass; after it,
    // equal subtrees are shared by both sides and compare by reference.
    const [l, r] = reconcile(legacy, next, rules, counts);
    if (l === r || jsonEqual(l, r)) return [];
    // Narrowed to what differs, the library walks a small document (narrow.ts).
    const sparse = new Set<object>();
    const [nl, nr] = narrowPair(l, r, sparse);
    differences = deltaToDifferences(patcher.diff(nl, nr), nl, nr, sparse);
  } finally {
    itemKeys.clear();
  }
  // The pre-walk already dropped ignored keys; this catches what it cannot (items an ignored array adds).
  return rules.ignore.length === 0 ? differences : differences.filter((d) => !pathCovered(rules.ignore, d.path));
}
