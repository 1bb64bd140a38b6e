import type { ColumnInfo, TableInfo } from '../../../../migrators/mapping/types.js';

/** A ColumnInfo as information_schema would report `name columnType`. */
export function col(name: string, columnType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  const dataType = columnType.replace(/\(.*$/, '').replace(/ .*$/, '').toLowerCase();
  const textBytes: Record<string, number> = { text: 65535, tinytext: 255, mediumtext: 16777215, longtext: 4294967295, blob: 65535, longblob: 4294967295, json: 4294967295 };
  const len = /^(var)?(char|binary)\((\d+)\)/.exec(columnType);
  const maxBytes = len ? Number(len[3]) * (len[2] === 'char' ? 4 : 1) : (textBytes[dataType] ?? null);
  return {
    name,
    ordinal: 1,
    dataType,
    columnType,
    nullable: true,
    unsigned: / unsigned/.test(columnType),
    maxBytes,
    numericPrecision: null,
    numericScale: null,
    datetimePrecision: /^(datetime|timestamp)\((\d)\)/.exec(columnType) ? Number(/\((\d)\)/.exec(columnType)![1]) : null,
    collation: maxBytes !== null && /char|text/.test(dataType) ? 'utf8mb4_unicode_ci' : null,
    ...extra,
  };
}

export function table(name: string, columns: ColumnInfo[], primaryKey: string[] = [columns[0]!.name]): TableInfo {
  return { name, columns: columns.map((c, i) => ({ ...c, ordinal: i + 1 })), primaryKey, rowEstimate: 0, engine: 'InnoDB' };
}
