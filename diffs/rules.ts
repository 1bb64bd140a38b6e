import { diffRules, type DiffRules } from '../config/diff-schema.js';
import { compilePattern, matchesExactly, type Pattern } from './pointer.js';

/** A route's diff rules, made ready for the engine once (patterns split, lookups prepared). */
export interface CompiledRules {
  readonly source: DiffRules;
  readonly ignore: readonly Pattern[];
  readonly unordered: readonly Pattern[];
  readonly arrayKeys: readonly { pattern: Pattern; key: string }[];
  readonly numberTolerance: number;
  readonly headers: readonly string[];
  readonly normalise: DiffRules['normalise'];
  /** True when the pre-walk has nothing to do but normalisers (no patterns at all). */
  readonly hasPatterns: boolean;
}

const compiled = new WeakMap<DiffRules, CompiledRules>();

export const DEFAULT_RULES: DiffRules = Object.freeze(diffRules.parse({}));

export function compileRules(rules: DiffRules = DEFAULT_RULES): CompiledRules {
  const hit = compiled.get(rules);
  if (hit) return hit;
  const result: CompiledRules = {
    source: rules,
    ignore: rules.ignore.map(compilePattern),
    unordered: rules.unorderedArrays.map(compilePattern),
    arrayKeys: Object.entries(rules.arrayKeys).map(([p, key]) => ({ pattern: compilePattern(p), key })),
    numberTolerance: rules.numberTolerance,
    headers: rules.headers,
    normalise: rules.normalise,
    hasPatterns: rules.ignore.length + rules.unorderedArrays.length + Object.keys(rules.arrayKeys).length > 0,
  };
  compiled.set(rules, result);
  return result;
}

export function isIgnored(rules: CompiledRules, segments: readonly string[]): boolean {
  for (const p of rules.ignore) if (matchesExactly(p, segments)) return true;
  return false;
}

export function isUnordered(rules: CompiledRules, segments: readonly string[]): boolean {
  for (const p of rules.unordered) if (matchesExactly(p, segments)) return true;
  return false;
}

export function arrayKeyAt(rules: CompiledRules, segments: readonly string[]): string | undefined {
  for (const { pattern, key } of rules.arrayKeys) if (matchesExactly(pattern, segments)) return key;
  return undefined;
}
