/**
 * Structural comparison of two parsed JSON documents under a route's rules: a deep-equality fast path,
 * the rules' pre-walk (reconcile.ts), then jsondiffpatch for what still differs.
 */
import equal from 'fast-deep-equal';
import { create } from 'jsondiffpatch';
import { deltaToDifferences } from './delta.js';
import { pathCovered } from './pointer.js';
import { itemKeys, reconcile } from './reconcile.js';
import type { CompiledRules } from './rules.js';
import type { Difference, NormaliseCounts } from './types.js';

/**
 * Items of key-matched arrays hash to their key (set by the pre-walk); any other object hashes to its
 * position, which is what jsondiffpatch does without an objectHash (match by position).
 */
const patcher = create({
  objectHash: (item: object, index?: number) => itemKeys.get(item) ?? `#${index}`,
  arrays: { detectMove: true, includeValueOnMove: false },
});

export function diffJson(legacy: unknown, next: unknown, rules: CompiledRules, counts: NormaliseCounts): Difference[] {
  if (equal(legacy, next)) return [];
  const [l, r] = reconcile(legacy, next, rules, counts);
  if (equal(l, r)) return [];
  const differences = deltaToDifferences(patcher.diff(l, r), l, r);
  // The pre-walk already dropped ignored keys; this catches what it cannot (items an ignored array adds).
  return rules.ignore.length === 0 ? differences : differences.filter((d) => !pathCovered(rules.ignore, d.path));
}
