import { migrateSchema } from '../../../../config/migrate-schema.js';
import { StranglerError } from '../../../../core/errors.js';
import { validateTableConfigs } from '../../../../migrators/mapping/validate.js';
import { col, table } from './schema-builders.js';

const schema = [
  table('users', [col('id', 'int(11)'), col('name', 'varchar(50)'), col('nick', 'varchar(50)')]),
  table('logs', [col('at', 'datetime')], []),
  table('places', [col('id', 'int(11)'), col('shape', 'point')]),
];

function check(tables: Record<string, unknown>): StranglerError | undefined {
  const parsed = migrateSchema.parse({ source: 'mysql://u@h/legacy', target: { projectId: 'p-test' }, tables }).tables;
  try {
    validateTableConfigs(parsed, schema, 'strangler.yaml', 'legacy');
    return undefined;
  } catch (err) {
    return err as StranglerError;
  }
}

describe('validateTableConfigs', () => {
  test('MySQL names with spaces and dots can be mapped (and renamed)', () => {
    const odd = [table('order lines', [col('id', 'int(11)'), col('unit price', 'decimal(10,2)'), col('order.total', 'decimal(10,2)')])];
    const parsed = migrateSchema.parse({
      source: 'mysql://u@h/legacy',
      target: { projectId: 'p-test' },
      tables: { 'order lines': { kind: 'OrderLine', columns: { 'unit price': { rename: 'unitPrice' }, 'order.total': { rename: 'orderTotal' } } } },
    }).tables;
    expect(() => validateTableConfigs(parsed, odd, 'strangler.yaml', 'legacy')).not.toThrow();
    expect(migrateSchema.safeParse({ source: 'mysql://u@h/legacy', target: { projectId: 'p-test' }, tables: { 'bad ': { kind: 'X' } } }).success).toBe(false);
  });

  test('a valid mapping passes', () => {
    expect(check({ users: { kind: 'User', key: 'id', columns: { nick: { rename: 'alias' } } }, places: { kind: 'Place', columns: { shape: { skip: true } } } })).toBeUndefined();
  });
  test.each([
    [{ user: { kind: 'User' } }, 'STRANGLER_E_MIGRATE_UNKNOWN_TABLE', 'strangler.yaml: migrate.tables.user: database legacy has no table "user"', 'tables in legacy: users, logs, places'],
    [{ users: { kind: 'User', columns: { mail: { skip: true } } } }, 'STRANGLER_E_MIGRATE_UNKNOWN_COLUMN', 'strangler.yaml: migrate.tables.users.columns.mail: table users has no column "mail"', 'columns of users: id, name, nick'],
    [{ users: { kind: 'User', updatedAt: 'updated_at' } }, 'STRANGLER_E_MIGRATE_UNKNOWN_COLUMN', 'strangler.yaml: migrate.tables.users.updatedAt: table users has no column "updated_at"', undefined],
    [{ users: { kind: 'User', key: ['id', 'idx'] } }, 'STRANGLER_E_MIGRATE_UNKNOWN_COLUMN', 'strangler.yaml: migrate.tables.users.key: table users has no column "idx"', undefined],
    [{ logs: { kind: 'Log' } }, 'STRANGLER_E_MIGRATE_NO_PRIMARY_KEY', 'strangler.yaml: migrate.tables.logs: table logs has no primary key, so it cannot be copied, resumed or verified', undefined],
    [{ users: { kind: 'User', key: 'name' } }, 'STRANGLER_E_MIGRATE_KEY_MISMATCH', 'strangler.yaml: migrate.tables.users.key: (name) is not the primary key of users (id)', undefined],
    [{ places: { kind: 'Place' } }, 'STRANGLER_E_MIGRATE_UNSUPPORTED_TYPE', 'strangler.yaml: migrate.tables.places.columns.shape: point has no Datastore mapping', undefined],
    [{ users: { kind: 'User', columns: { nick: { rename: 'name' } } } }, 'STRANGLER_E_MIGRATE_PROPERTY_CLASH', 'strangler.yaml: migrate.tables.users.columns.nick: columns name and nick both map to property "name"', undefined],
    [{ users: { kind: 'User', columns: { nick: { rename: '__key__' } } } }, 'STRANGLER_E_MIGRATE_PROPERTY_CLASH', 'strangler.yaml: migrate.tables.users.columns.nick: property name "__key__" is reserved by Datastore (__…__)', undefined],
  ])('%j → %s', (tables, code, message, hint) => {
    const err = check(tables);
    expect(err).toBeInstanceOf(StranglerError);
    expect(err!.code).toBe(code);
    expect(err!.exitCode).toBe(2);
    expect(err!.message).toBe(message);
    if (hint) expect(err!.hint).toBe(hint);
  });
});
