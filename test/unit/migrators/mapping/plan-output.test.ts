import YAML from 'yaml';
import { migrateSchema } from '../../../../config/migrate-schema.js';
import { buildMapping, refusals } from '../../../../migrators/mapping/build-mapping.js';
import type { TableFacts, TableInfo } from '../../../../migrators/mapping/types.js';
import { formatPlan } from '../../../../migrators/plan/format-plan.js';
import { mappingYaml } from '../../../../migrators/plan/mapping-yaml.js';
import { toPlan } from '../../../../migrators/plan/plan.js';
import { col, table } from './schema-builders.js';

const users = table('users', [col('id', 'int(11)'), col('active', 'tinyint(1)'), col('bio', 'text'), col('updated_at', 'timestamp'), col('born', 'datetime')]);
const logs = table('logs', [col('line', 'text')], []);
const facts: TableFacts = { rows: 3, columns: { id: { min: '1', max: '3' }, active: { min: '0', max: '1' }, bio: { maxBytes: 10 } } };

function load(info: TableInfo, config?: unknown, f?: TableFacts) {
  const tableConfig = config ? migrateSchema.parse({ source: 'mysql://u@h/db', target: { projectId: 'p-test' }, tables: { [info.name]: config } }).tables[info.name] : undefined;
  const { mapping, risks } = buildMapping(info, tableConfig, { sourceTimeZone: 'Europe/Paris', facts: f });
  return { info, mapping, risks, refused: refusals(risks), ...(f ? { facts: f } : {}) };
}

describe('plan output', () => {
  const plan = toPlan('legacy', { sourceTimeZone: 'Europe/Paris' }, [load(users, undefined, facts), load(logs)]);

  test('text: one block per table, refused tables with their reason, a summary', () => {
    const text = formatPlan(plan);
    expect(text).toContain('users → kind User  3 rows\n  key: id → numeric id\n  properties:\n');
    expect(text).toMatch(/ {4}active\s+tinyint\(1\)\s+→ active\s+boolean\n/);
    expect(text).toMatch(/ {4}born\s+datetime\s+→ born\s+timestamp in Europe\/Paris\n/);
    expect(text).toContain('logs: REFUSED  ~0 rows (estimate)\n  risks:\n    ERROR   no primary key: refused');
    expect(text.trimEnd().split('\n').at(-1)).toBe('2 table(s), 1 refused, 0 warning(s), 3 note(s)');
  });

  test('--write YAML pins every decision, suggests updatedAt, and loads back into the same mapping', () => {
    const text = mappingYaml(plan, new Date('2026-01-01T00:00:00Z'));
    expect(text).toContain('# logs: refused: no primary key');
    expect(text).toContain('  # updatedAt: updated_at   # for migrate sync');
    expect(text).toContain('    active: { type: boolean }\n');
    expect(text).toContain('    bio: { type: string, index: false }\n');
    const tables = migrateSchema.parse({ source: 'mysql://u@h/db', target: { projectId: 'p-test' }, tables: YAML.parse(text) }).tables;
    expect(Object.keys(tables)).toEqual(['users']);
    // Without facts, the pinned types still hold: the decision no longer depends on the data.
    const again = buildMapping(users, tables.users, { sourceTimeZone: 'Europe/Paris' });
    expect(again.mapping.properties).toEqual(plan.tables[0]!.properties.map(({ sqlType: _s, ...p }) => p));
  });

  test('updatedAt: a column MySQL keeps current is suggested first; one it does not is a note', () => {
    const profiles = table('profiles', [col('id', 'int(11)'), col('updated_at', 'datetime'), col('changed', 'timestamp', { onUpdateNow: true, nullable: false })]);
    const p = toPlan('legacy', { sourceTimeZone: 'UTC' }, [load(profiles)]);
    expect(p.tables[0]!.suggestedUpdatedAt).toBe('changed');
    const configured = load(profiles, { kind: 'Profile', updatedAt: 'updated_at' });
    expect(configured.risks.filter((r) => r.code.startsWith('updated-at')).map((r) => `${r.column} ${r.code}`)).toEqual(['updated_at updated-at-null', 'updated_at updated-at-app']);
    expect(load(profiles, { kind: 'Profile', updatedAt: 'changed' }).risks.filter((r) => r.code.startsWith('updated-at'))).toEqual([]);
  });
});
