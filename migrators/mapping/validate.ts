import type { TableConfig } from '../../config/migrate-schema.js';
import { StranglerError } from '../../core/errors.js';
import { classify } from './column-class.js';
import type { TableInfo } from './types.js';

function known(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, … (${names.length} in all)` : shown || '(none)';
}

/**
 * Checks `migrate.tables` against the real schema before anything is read or written: every table
 * and column named exists, each table has a primary key and the configured key is that key, every
 * column without a mapping is skipped, and no two columns land on one property. Throws the first
 * problem as a catalogued error naming file, table and column.
 */
export function validateTableConfigs(tables: Readonly<Record<string, TableConfig>>, schema: readonly TableInfo[], file: string, database: string): void {
  const infos = new Map(schema.map((t) => [t.name, t]));
  for (const [name, config] of Object.entries(tables)) {
    const at = `${file}: migrate.tables.${name}`;
    const info = infos.get(name);
    if (!info) {
      throw new StranglerError('STRANGLER_E_MIGRATE_UNKNOWN_TABLE', `${at}: database ${database} has no table "${name}"`, {
        hint: `tables in ${database}: ${known([...infos.keys()])}`,
        details: { table: name },
      });
    }
    const columns = new Set(info.columns.map((c) => c.name));
    const unknownColumn = (where: string, column: string) =>
      new StranglerError('STRANGLER_E_MIGRATE_UNKNOWN_COLUMN', `${at}.${where}: table ${name} has no column "${column}"`, {
        hint: `columns of ${name}: ${known(info.columns.map((c) => c.name))}`,
        details: { table: name, column },
      });
    for (const column of Object.keys(config.columns)) if (!columns.has(column)) throw unknownColumn(`columns.${column}`, column);
    const keyColumns = config.key ? [config.key].flat() : [];
    for (const column of keyColumns) if (!columns.has(column)) throw unknownColumn('key', column);
    if (config.updatedAt && !columns.has(config.updatedAt)) throw unknownColumn('updatedAt', config.updatedAt);
    if (config.parent && !columns.has(config.parent.column)) throw unknownColumn('parent.column', config.parent.column);

    if (info.primaryKey.length === 0) {
      throw new StranglerError('STRANGLER_E_MIGRATE_NO_PRIMARY_KEY', `${at}: table ${name} has no primary key, so it cannot be copied, resumed or verified`, {
        hint: `add one (ALTER TABLE ${name} ADD PRIMARY KEY (…)) or remove the table from migrate.tables`,
        details: { table: name },
      });
    }
    if (keyColumns.length > 0 && [...keyColumns].sort().join(',') !== [...info.primaryKey].sort().join(',')) {
      throw new StranglerError('STRANGLER_E_MIGRATE_KEY_MISMATCH', `${at}.key: (${keyColumns.join(', ')}) is not the primary key of ${name} (${info.primaryKey.join(', ')})`, {
        hint: `set key: ${info.primaryKey.length === 1 ? info.primaryKey[0] : `[${info.primaryKey.join(', ')}]`} (you may reorder composite key columns) or leave it out`,
        details: { table: name },
      });
    }
    const unsupported = info.columns.find((c) => classify(c) === 'unsupported' && !config.columns[c.name]?.skip);
    if (unsupported) {
      throw new StranglerError('STRANGLER_E_MIGRATE_UNSUPPORTED_TYPE', `${at}.columns.${unsupported.name}: ${unsupported.columnType} has no Datastore mapping`, {
        hint: `set columns: { ${unsupported.name}: { skip: true } } and convert it in a transform if the new service needs it`,
        details: { table: name, column: unsupported.name },
      });
    }
    const owners = new Map<string, string>();
    for (const c of info.columns) {
      const cc = config.columns[c.name];
      if (cc?.skip) continue;
      const property = cc?.rename ?? c.name;
      if (/^__.*__$/.test(property)) {
        throw new StranglerError('STRANGLER_E_MIGRATE_PROPERTY_CLASH', `${at}.columns.${c.name}: property name "${property}" is reserved by Datastore (__…__)`, {
          hint: `rename it: columns: { ${c.name}: { rename: ${property.replace(/^_+|_+$/g, '') || 'value'} } }`,
          details: { table: name, column: c.name },
        });
      }
      const other = owners.get(property);
      if (other) {
        throw new StranglerError('STRANGLER_E_MIGRATE_PROPERTY_CLASH', `${at}.columns.${c.name}: columns ${other} and ${c.name} both map to property "${property}"`, {
          hint: 'rename one of them, or skip one',
          details: { table: name, column: c.name },
        });
      }
      owners.set(property, c.name);
    }
  }
}
