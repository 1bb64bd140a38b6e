import type { MysqlReader } from '../mysql/connect.js';
import type { MigrateConfig } from '../../config/migrate-schema.js';
import { StranglerError, type ErrorCode } from '../../core/errors.js';
import { buildMapping, refusals } from '../mapping/build-mapping.js';
import { classify } from '../mapping/column-class.js';
import { partitionBytes } from '../mapping/entity-size.js';
import { loadTransform } from '../mapping/load-module.js';
import type { Risk, TableFacts, TableInfo, TableMapping } from '../mapping/types.js';
import { validateTableConfigs } from '../mapping/validate.js';
import { gatherFacts, type DeclaredZones, type FactScope } from '../mysql/introspect-facts.js';
import { introspect } from '../mysql/introspect.js';
import { serverTimeZone } from '../mysql/server-zone.js';

export interface LoadedTable {
  info: TableInfo;
  mapping: TableMapping;
  risks: Risk[];
  facts?: TableFacts;
  /** Why the table cannot be migrated ('error' risks); only when `refused: 'report'`. */
  refused: Risk[];
}

export interface LoadOptions {
  /** The config file and its folder (messages, transform paths). */
  file: string;
  baseDir: string;
  /** Only these tables (configured or not); default: migrate.tables, or every table when it is empty. */
  tables?: readonly string[];
  /** 'decisions' (run, verify, sync: what the mapping depends on) or 'all' (plan). Default 'decisions'. */
  facts?: FactScope | 'none';
  /**
   * 'throw' (default): a refused table is a catalogued error. 'report': an unconfigured refused table is
   * kept, with `refused` set (the plan of a whole database); a configured one always throws.
   */
  refused?: 'throw' | 'report';
  /** Import transform modules (default true). */
  loadTransforms?: boolean;
}

/** Columns whose type the config fixes or that it skips: their data decides nothing. */
function pinnedColumns(config: MigrateConfig['tables'][string] | undefined): Set<string> {
  return new Set(Object.entries(config?.columns ?? {}).filter(([, c]) => c.skip || c.type).map(([name]) => name));
}

/** DATETIME columns that become timestamps → their declared zone, or null when none is declared. */
function declaredZones(info: TableInfo, config: MigrateConfig['tables'][string] | undefined, sourceTimeZone: string | undefined): DeclaredZones {
  const zones = new Map<string, string | null>();
  for (const c of info.columns) {
    const cc = config?.columns[c.name];
    if (classify(c) !== 'datetime' || cc?.skip || (cc?.type && cc.type !== 'timestamp')) continue;
    zones.set(c.name, cc?.timeZone ?? sourceTimeZone ?? null);
  }
  return zones;
}

/** Refusal risk code → the catalogued error that run, verify and sync throw for it. */
const REFUSAL_CODES: Record<string, ErrorCode> = {
  'no-primary-key': 'STRANGLER_E_MIGRATE_NO_PRIMARY_KEY',
  'timezone-unknown': 'STRANGLER_E_MIGRATE_TIMEZONE_UNKNOWN',
};

/** The database named in a mysql:// URL. */
export function databaseOf(source: string): string {
  return decodeURIComponent(new URL(source).pathname.slice(1).split('/')[0]!);
}

/**
 * Config → ready mappings, the one path plan, run, verify and sync take, so they agree on every
 * table's mapping: introspect, validate the config against the schema, gather the facts the mapping
 * depends on, build the mapping, load transforms.
 */
export async function loadMappings(migrate: MigrateConfig, conn: MysqlReader, options: LoadOptions): Promise<LoadedTable[]> {
  const database = databaseOf(migrate.source);
  const configured = Object.keys(migrate.tables);
  const wanted = options.tables && options.tables.length > 0 ? [...options.tables] : configured.length > 0 ? configured : undefined;
  const schema = await introspect(conn, database, wanted);
  const unknown = wanted?.find((t) => !schema.some((s) => s.name === t));
  if (unknown) {
    const all = (await introspect(conn, database)).map((t) => t.name);
    const at = configured.includes(unknown) ? `${options.file}: migrate.tables.${unknown}` : `--table ${unknown}`;
    throw new StranglerError('STRANGLER_E_MIGRATE_UNKNOWN_TABLE', `${at}: database ${database} has no table "${unknown}"`, {
      hint: `tables in ${database}: ${all.slice(0, 12).join(', ') || '(none)'}`,
      details: { table: unknown },
    });
  }
  const selectedConfigs = Object.fromEntries(Object.entries(migrate.tables).filter(([t]) => schema.some((s) => s.name === t)));
  // Configured tables are always checked strictly; 'report' only keeps unconfigured refused tables.
  validateTableConfigs(selectedConfigs, schema, options.file, database);

  const out: LoadedTable[] = [];
  const serverZone = options.facts === 'none' ? undefined : await serverTimeZone(conn);
  for (const info of schema) {
    const config = migrate.tables[info.name];
    const scope = options.facts ?? 'decisions';
    const keyColumns = [...(config?.key ? [config.key].flat() : info.primaryKey), ...(config?.parent ? [config.parent.column] : [])];
    const facts = scope === 'none' || (info.primaryKey.length === 0 && scope === 'decisions') ? undefined : await gatherFacts(conn, info, scope, keyColumns, pinnedColumns(config), declaredZones(info, config, migrate.sourceTimeZone));
    const { mapping, risks } = buildMapping(info, config, {
      ...(migrate.sourceTimeZone ? { sourceTimeZone: migrate.sourceTimeZone } : {}),
      ...(serverZone ? { serverTimeZone: serverZone } : {}),
      ...(facts ? { facts } : {}),
    });
    mapping.partitionBytes = partitionBytes(migrate.target.projectId, migrate.target.databaseId, migrate.target.namespace);
    const refused = refusals(risks);
    if (refused.length > 0 && options.refused !== 'report') {
      const first = refused[0]!;
      throw new StranglerError(
        REFUSAL_CODES[first.code] ?? 'STRANGLER_E_MIGRATE_UNSUPPORTED_TYPE',
        `table ${info.name}${first.column ? `, column ${first.column}` : ''}: ${first.message}`,
        {
          hint: first.code === 'timezone-unknown' ? `set migrate.sourceTimeZone (or the column's timeZone) to the zone the legacy app writes in` : 'leave the table out with --table, or map it in migrate.tables',
          details: { table: info.name },
        },
      );
    }
    if (config?.transform && options.loadTransforms !== false) {
      mapping.transform = await loadTransform(config.transform, options.baseDir, `${options.file}: migrate.tables.${info.name}.transform`);
    }
    out.push({ info, mapping, risks, ...(facts ? { facts } : {}), refused });
  }
  return out;
}
