import type { MigrateConfig } from '../../config/migrate-schema.js';
import type { KeyStrategy, PropertyType, Risk, TableFacts } from '../mapping/types.js';
import type { BinlogReadiness } from '../mysql/binlog-readiness.js';
import type { LoadedTable } from './load-mappings.js';

/** What `strangler migrate plan` reports, per table; also its --json output. */
export interface PlanTable {
  table: string;
  kind: string;
  refused: boolean;
  /** information_schema's estimate, and the exact count when the data was read. */
  rowEstimate: number;
  rows?: number;
  key: { columns: string[]; strategy: KeyStrategy; parent?: { kind: string; column: string; strategy: KeyStrategy } };
  updatedAt?: string;
  /** When no updatedAt is configured: a DATETIME/TIMESTAMP column whose name says it is one. */
  suggestedUpdatedAt?: string;
  transform?: string;
  /** The table's onChange module (migrate follow calls it per applied batch), kept by --write. */
  onChange?: string;
  /** The table's `migrate reverse` settings as configured, kept by --write. */
  reverse?: NonNullable<MigrateConfig['tables']>[string]['reverse'];
  properties: { column: string; sqlType: string; property: string; type: PropertyType; indexed: boolean; timeZone?: string }[];
  skipped: string[];
  risks: Risk[];
  /** The data facts the plan read (absent with --no-data). */
  facts?: TableFacts;
}

export interface Plan {
  database: string;
  /** The zone DATETIME columns are read in unless a column declares its own ('UTC' when undeclared). */
  sourceTimeZone: string;
  /** migrate.sourceTimeZone is set (otherwise a DATETIME column of local times is refused). */
  sourceTimeZoneDeclared: boolean;
  tables: PlanTable[];
  /** Whether `migrate follow` can read the binlog (absent when not checked: --no-data). */
  binlog?: BinlogReadiness;
  summary: { tables: number; refused: number; errors: number; warnings: number; infos: number };
}

const UPDATED_AT = /^(updated_?at|modified_?at|last_?modified|last_?update(d)?|updated|modified|mtime|changed_?at)$/i;

/** A column MySQL keeps current (ON UPDATE CURRENT_TIMESTAMP) first, else one whose name says so. */
function suggestUpdatedAt(info: LoadedTable['info']): string | undefined {
  const temporal = info.columns.filter((c) => c.dataType === 'datetime' || c.dataType === 'timestamp');
  return (temporal.find((c) => c.onUpdateNow) ?? temporal.find((c) => UPDATED_AT.test(c.name)))?.name;
}

export function toPlan(database: string, migrate: Pick<MigrateConfig, 'sourceTimeZone'> & { tables?: MigrateConfig['tables'] }, loaded: readonly LoadedTable[]): Plan {
  const tables = loaded.map(({ info, mapping, risks, facts, refused }): PlanTable => {
    const { onChange, reverse } = migrate.tables?.[info.name] ?? {};
    // MariaDB's JSON is a LONGTEXT with a json_valid() check: show what was declared.
    const sqlType = new Map(info.columns.map((c) => [c.name, c.dataType === 'json' ? 'json' : c.columnType]));
    const mapped = new Set(mapping.properties.map((p) => p.column));
    return {
      table: info.name,
      kind: mapping.kind,
      refused: refused.length > 0,
      rowEstimate: info.rowEstimate,
      ...(facts?.rows !== undefined ? { rows: facts.rows } : {}),
      key: { columns: mapping.key.columns, strategy: mapping.key.strategy, ...(mapping.parent ? { parent: mapping.parent } : {}) },
      ...(mapping.updatedAt ? { updatedAt: mapping.updatedAt } : {}),
      ...(!mapping.updatedAt && suggestUpdatedAt(info) ? { suggestedUpdatedAt: suggestUpdatedAt(info) } : {}),
      ...(mapping.transformModule ? { transform: mapping.transformModule } : {}),
      ...(onChange ? { onChange } : {}),
      ...(reverse ? { reverse } : {}),
      properties: mapping.properties.map((p) => ({
        column: p.column,
        sqlType: sqlType.get(p.column) ?? '?',
        property: p.property,
        type: p.type,
        indexed: p.indexed,
        ...(p.timeZone ? { timeZone: p.timeZone } : {}),
      })),
      skipped: info.columns.filter((c) => !mapped.has(c.name)).map((c) => c.name),
      risks,
      ...(facts ? { facts } : {}),
    };
  });
  const all = tables.flatMap((t) => t.risks);
  return {
    database,
    sourceTimeZone: migrate.sourceTimeZone ?? 'UTC',
    sourceTimeZoneDeclared: migrate.sourceTimeZone !== undefined,
    tables,
    summary: {
      tables: tables.length,
      refused: tables.filter((t) => t.refused).length,
      errors: all.filter((r) => r.level === 'error').length,
      warnings: all.filter((r) => r.level === 'warning').length,
      infos: all.filter((r) => r.level === 'info').length,
    },
  };
}
