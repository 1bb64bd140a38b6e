/**
 * The house rules of ARCHITECTURE.md, checked on the real import graph (dpdm parses every source
 * file, type-only imports included): no import cycle anywhere, each top-level folder imports only
 * the folders below it, and inside migrators/ the folders form one direction.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCES = ['cli', 'wiring', 'bench', 'examples', 'proxy', 'migrators', 'diffs', 'config', 'core', 'local-servers', 'test'];

type Edge = { from: string; to: string };

let graph: { edges: Edge[]; cycles: string[][] };

beforeAll(async () => {
  const script = path.join(ROOT, 'test/support/import-graph.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [script, ...SOURCES], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  graph = JSON.parse(stdout) as typeof graph;
}, 60_000);

test('no import cycle anywhere (type-only imports count too)', () => {
  expect(graph.edges.length).toBeGreaterThan(500); // the graph was really read
  expect(graph.cycles.map((c) => c.join(' → '))).toEqual([]);
});

/** Which top-level folders each one may import (its own always). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  config: ['core'],
  'local-servers': ['core'],
  migrators: ['config', 'core'],
  diffs: ['config', 'core', 'proxy/shadow-contract.ts'],
  proxy: ['config', 'core', 'diffs', 'migrators/checkpoint'],
  wiring: ['config', 'core', 'proxy', 'diffs', 'migrators'],
  examples: ['config', 'core', 'proxy', 'diffs', 'migrators', 'wiring', 'local-servers'],
  cli: ['config', 'core', 'proxy', 'diffs', 'migrators', 'wiring', 'examples/demo/entry.ts'],
  // A bench may run the whole CLI in-process (runCli), as the tests do; never a command file.
  bench: ['config', 'core', 'proxy', 'diffs', 'migrators', 'wiring', 'local-servers', 'examples', 'cli/program.ts', 'cli/io.ts'],
};

const topOf = (file: string) => file.split('/')[0]!;
const allowed = (to: string, prefixes: readonly string[]) => prefixes.some((p) => to === p || to.startsWith(p + '/'));

test('each top-level folder imports only the folders ARCHITECTURE.md lets it', () => {
  const wrong = graph.edges
    .filter((e) => topOf(e.from) !== 'test' && topOf(e.from) !== topOf(e.to))
    .filter((e) => !allowed(e.to, MAY_IMPORT[topOf(e.from)] ?? []))
    .map((e) => `${e.from} → ${e.to}`);
  expect(wrong).toEqual([]);
});

/** migrators/ floors, top down: a folder imports only folders on lower floors (its own always). */
const FLOORS: readonly (readonly string[])[] = [
  ['verify', 'follow', 'reverse'],
  ['sync'],
  ['copy'],
  ['plan', 'checkpoint'],
  ['mysql', 'datastore'],
  ['mapping'],
  ['keys', 'retry'],
];
const floorOf = (folder: string) => FLOORS.findIndex((f) => f.includes(folder));

test('inside migrators/ nothing imports upward or sideways', () => {
  const inside = graph.edges.filter((e) => e.from.startsWith('migrators/') && e.to.startsWith('migrators/'));
  const folders = new Set(inside.flatMap((e) => [e.from.split('/')[1]!, e.to.split('/')[1]!]));
  expect([...folders].filter((f) => floorOf(f) < 0)).toEqual([]); // a new folder gets a floor here and in ARCHITECTURE.md
  const wrong = inside
    .filter((e) => e.from.split('/')[1] !== e.to.split('/')[1])
    .filter((e) => floorOf(e.to.split('/')[1]!) <= floorOf(e.from.split('/')[1]!))
    .map((e) => `${e.from} → ${e.to}`);
  expect(wrong).toEqual([]);
});

test('the rules catch what they are for: an upward import is reported', () => {
  // The same filters over a made-up edge, so that a rule that can never fail would show here.
  const upward = { from: 'migrators/keys/key.ts', to: 'migrators/copy/copy-table.ts' };
  expect(floorOf('copy') <= floorOf('keys')).toBe(true);
  expect(allowed(upward.to, MAY_IMPORT.migrators!)).toBe(false);
  expect(allowed('cli/program.ts', MAY_IMPORT.examples!)).toBe(false);
});
