import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { canonicalEntity } from '../../../../migrators/mapping/canonical.js';
import { ROUNDTRIP_EXPECTED, ROUNDTRIP_SOURCE_TIMEZONE, seedRoundtrip } from '../../../support/fixtures/roundtrip.js';
import { createMigrateEnv, type MigrateEnv } from '../migrate-env.js';

/** The playbook's first steps: plan --write, edit the mapping, run with it; the data lands as documented. */
describe('migrate plan --write → edit → migrate run', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('pwr');
    await seedRoundtrip(env.db.pool);
  });
  afterAll(async () => env.close());

  test('the written mapping, with the ancestor added by hand, copies every value exactly', async () => {
    env.writeConfig({}, { sourceTimeZone: ROUNDTRIP_SOURCE_TIMEZONE });
    const mappingFile = path.join(env.dir, 'mapping.yaml');
    const plan = await env.cli('migrate', 'plan', '-c', env.configFile, '--write', mappingFile);
    expect(plan.err).toBe('');
    expect(plan.code).toBe(0);
    const tables = YAML.parse(readFileSync(mappingFile, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(tables)).toEqual(['chats', 'messages', 'pairs', 'roundtrip']);
    tables.messages!.parent = { kind: 'Chat', column: 'chat_id' }; // the engineer's edit
    env.writeConfig(tables, { sourceTimeZone: ROUNDTRIP_SOURCE_TIMEZONE });

    // A row that arrives after the plan: TINYINT(1) pinned to boolean refuses a 2 instead of
    // silently turning the column into an int for the rows copied from now on.
    await env.db.pool.query('INSERT INTO roundtrip (id, flag) VALUES (6, 2)');

    const run = await env.cli('migrate', 'run', '-c', env.configFile);
    expect(run.code).toBe(1);
    expect(run.err).toContain('STRANGLER_E_MIGRATE_DEAD_LETTERS');
    const letters = readFileSync(env.deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(letters.map((l) => `${l.table} ${l.key}`).sort()).toEqual(['roundtrip 4', 'roundtrip 6']);
    expect(letters.find((l) => l.key === '6')!.reason).toBe('column flag: 2 is not 0 or 1, so it is no boolean; map the column as int');
    for (const e of ROUNDTRIP_EXPECTED) {
      if ('deadLetter' in e) continue;
      const [entity] = await env.ds.get(env.ds.key(e.key.map((p) => (typeof p === 'number' ? env.ds.int(p) : p))), { wrapNumbers: true });
      expect({ pk: e.pk, fields: entity && canonicalEntity(entity) }).toEqual({ pk: e.pk, fields: e.fields });
    }
  });
});
