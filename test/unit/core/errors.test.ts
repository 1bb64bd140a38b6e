import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, StranglerError } from '../../../core/errors.js';
import { PACKAGE_ROOT } from '../../../core/package-info.js';

const doc = readFileSync(path.join(PACKAGE_ROOT, 'docs/errors.md'), 'utf8');

/** Each documented code: its heading and the block of bullets under it. */
function documented(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of doc.matchAll(/^### (STRANGLER_E_[A-Z0-9_]+)\n([\s\S]*?)(?=^#{2,3} |$(?![\s\S]))/gm)) out.set(m[1]!, m[2]!);
  return out;
}

describe('error catalogue ⇄ docs/errors.md', () => {
  const docs = documented();

  test('every code in core/errors.ts is documented', () => {
    const missing = Object.keys(CATALOGUE).filter((c) => !docs.has(c));
    expect(missing).toEqual([]);
  });

  test('the doc lists no code that does not exist', () => {
    const extra = [...docs.keys()].filter((c) => !Object.hasOwn(CATALOGUE, c));
    expect(extra).toEqual([]);
  });

  test('each entry gives the exit code the catalogue uses, a message, a cause and a fix', () => {
    for (const [code, body] of docs) {
      const exit = /- \*\*Exit\*\*: (\d)/.exec(body)?.[1];
      expect({ code, exit: Number(exit) }).toEqual({ code, exit: CATALOGUE[code as keyof typeof CATALOGUE].exit });
      for (const field of ['Message', 'Cause', 'Fix']) expect({ code, has: body.includes(`- **${field}**:`) }).toEqual({ code, has: true });
    }
  });

  test('a StranglerError keeps its cause and maps to the catalogued exit code', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new StranglerError('STRANGLER_E_MYSQL_UNREACHABLE', 'down', { cause });
    expect(err.cause).toBe(cause);
    expect(err.exitCode).toBe(1);
    expect(new StranglerError('STRANGLER_E_USAGE', 'bad').exitCode).toBe(2);
  });
});
