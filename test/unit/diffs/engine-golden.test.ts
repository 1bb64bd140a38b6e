/**
 * The engine's outputs on a seeded corpus of ~1200 pairs (corpus.ts) are exactly those recorded in
 * fixtures/engine-golden.json before the engine was optimised: differences (paths, kinds, values,
 * order) and normaliser counts. Re-record (record-golden.ts) only for an intended behaviour change.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { diffRules } from '../../../config/diff-schema.js';
import { compareAnswers } from '../../../diffs/engine.js';
import { compileRules } from '../../../diffs/rules.js';
import { buildCorpus, compared, corpusDigest, CORPUS_RULES, outcomeText } from './corpus.js';

const golden = JSON.parse(readFileSync(new URL('./fixtures/engine-golden.json', import.meta.url), 'utf8')) as { inputs: string; outputs: string[] };
const cases = buildCorpus();

test('the corpus is the one the fixture was recorded from', () => {
  expect(corpusDigest(cases, (t) => createHash('sha256').update(t).digest('hex'))).toBe(golden.inputs);
  expect(cases).toHaveLength(golden.outputs.length);
});

test('the engine gives the recorded outcome for every pair of the corpus', () => {
  const rules = CORPUS_RULES.map((r) => compileRules(diffRules.parse(r)));
  const mismatches: string[] = [];
  cases.forEach((c, i) => {
    const got = outcomeText(compared(compareAnswers(c.legacy, c.next, rules[c.rules]!)));
    if (got !== golden.outputs[i]) mismatches.push(`#${i} (rules ${c.rules})\n  legacy: ${c.legacy.body}\n  new:    ${c.next.body}\n  want:   ${golden.outputs[i]}\n  got:    ${got}`);
  });
  expect(mismatches.slice(0, 5).join('\n')).toBe('');
  expect(mismatches).toHaveLength(0);
});

test('the engine is deterministic: comparing the same pair twice gives the same outcome', () => {
  const rules = CORPUS_RULES.map((r) => compileRules(diffRules.parse(r)));
  for (const c of cases.slice(0, 200)) {
    expect(outcomeText(compared(compareAnswers(c.legacy, c.next, rules[c.rules]!)))).toBe(outcomeText(compared(compareAnswers(c.legacy, c.next, rules[c.rules]!))));
  }
});
