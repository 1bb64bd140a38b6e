/**
 * Prints the repository's import graph as JSON ({ edges: [{ from, to }], cycles: [[file…]] }), read by
 * dpdm with type-only imports included. A script of its own because dpdm loads ESM-only packages
 * that jest's module loader cannot require; test/unit/architecture runs it in a child process.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const folders = process.argv.slice(2);
const tree = await parseDependencyTree(
  folders.map((d) => `${d}/**/*.ts`),
  { cwd: root, context: root, tsconfig: path.join(root, 'tsconfig.json'), transform: false, skipDynamicImports: false },
);
const edges = [];
for (const [from, deps] of Object.entries(tree)) {
  for (const d of deps ?? []) if (d.id && !d.id.includes('node_modules') && !d.id.startsWith('node:')) edges.push({ from, to: d.id });
}
process.stdout.write(JSON.stringify({ edges, cycles: parseCircular(tree) }));
