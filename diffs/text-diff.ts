/**
 * Text that has no structure the engine knows (text/plain, a broken JSON body) compared line by line
 * (jsdiff's diffArrays on lines with whitespace collapsed): every changed run of lines is a difference
 * of its own at "@body", with its own excerpt. Such a body is never learnt as noise (noise-rates.ts);
 * the report says it is not structured.
 */
import { diffArrays } from 'diff';
import { excerptPair } from './excerpt.js';
import { MAX_DIFFERENCES, type MarkupOutcome } from './markup-diff.js';
import type { Difference } from './types.js';

function lines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const l = line.replace(/\s+/g, ' ').trim();
    if (l !== '') out.push(l);
  }
  return out;
}

export function diffText(legacy: string, next: string): MarkupOutcome {
  const a = lines(legacy);
  const b = lines(next);
  const out: Difference[] = [];
  let omitted = 0;
  const push = (d: Difference) => (out.length < MAX_DIFFERENCES ? out.push(d) : omitted++);
  const parts = diffArrays(a, b);
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if (!part.removed && !part.added) continue;
    const nextPart = parts[k + 1];
    if (part.removed && nextPart?.added) {
      const [x, y] = excerptPair(part.value.join('\n'), nextPart.value.join('\n'));
      push({ path: '@body', kind: 'changed', legacy: x, new: y });
      k++;
    } else if (part.removed) push({ path: '@body', kind: 'missing', legacy: excerptPair(part.value.join('\n'), '')[0] });
    else push({ path: '@body', kind: 'extra', new: excerptPair('', part.value.join('\n'))[1] });
  }
  return { differences: out, omitted };
}
