import type { KeyColumn } from '../keys/key.js';
import { classify } from '../mapping/column-class.js';
import type { TableInfo, TableMapping } from '../mapping/types.js';

/** A configured table, checked against the schema, ready to copy, verify or sync. */
export interface PreparedTable {
  name: string;
  info: TableInfo;
  mapping: TableMapping;
  key: (KeyColumn & { binary: boolean })[];
}

/** The table with its key columns typed as keyset reads bind them (integers exact, binary as bytes). */
export function prepareTable(info: TableInfo, mapping: TableMapping): PreparedTable {
  const key = mapping.key.columns.map((c) => {
    const cls = classify(info.columns.find((x) => x.name === c)!);
    return { name: c, integer: cls === 'integer' || cls === 'bigint', binary: cls === 'binary' };
  });
  return { name: info.name, info, mapping, key };
}
