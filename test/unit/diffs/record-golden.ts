/**
 * Records the diff engine's outputs on the seeded corpus into fixtures/engine-golden.json, which
 * engine-golden.test.ts compares against. Run it only when the engine's behaviour is meant to change:
 *   npx tsx test/unit/diffs/record-golden.ts
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diffRules } from '../../../config/diff-schema.js';
import { compareAnswers } from '../../../diffs/engine.js';
import { compileRules } from '../../../diffs/rules.js';
import { buildCorpus, compared, corpusDigest, CORPUS_RULES, outcomeText } from './corpus.js';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const cases = buildCorpus();
const rules = CORPUS_RULES.map((r) => compileRules(diffRules.parse(r)));
const outputs = cases.map((c) => outcomeText(compared(compareAnswers(c.legacy, c.next, rules[c.rules]!))));
const file = fileURLToPath(new URL('./fixtures/engine-golden.json', import.meta.url));
writeFileSync(file, JSON.stringify({ inputs: corpusDigest(cases, sha), outputs }, null, 0).replace(/","/g, '",\n"') + '\n');
const differing = outputs.filter((o) => !o.startsWith('{"differences":[]')).length;
console.log(`${outputs.length} outcomes (${differing} with differences) → ${file}`);
