import type { ColumnInfo, Risk, TableInfo, TableMapping } from './types.js';

/**
 * Keys and indexed values that only ever grow are a hotspot on a real Datastore project: every new
 * write lands at the end of one key or index range, on one server, whatever the kind's size
 * (Google's best practices: "avoid monotonically increasing values"). An AUTO_INCREMENT id becomes a
 * sequential numeric id, and an indexed insert or update time grows the same way. The plan says so
 * and what to do; it never changes keys behind the user's back.
 */
export function hotspotRisks(table: TableInfo, mapping: TableMapping): Risk[] {
  const risks: Risk[] = [];
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const keyColumn = mapping.key.columns.length === 1 ? byName.get(mapping.key.columns[0]!) : undefined;
  if (mapping.key.strategy === 'id' && keyColumn?.autoIncrement) {
    risks.push({
      level: 'warning',
      code: 'sequential-keys',
      table: table.name,
      column: keyColumn.name,
      message:
        `AUTO_INCREMENT ${keyColumn.name} becomes sequential numeric ids: on a real project new ${mapping.kind} entities all land at the end of the key range (a hotspot past ~500 writes/s). ` +
        'Either scatter the key (a transform cannot change keys: give the new service a hashed or bit-reversed id, or migrate to key names of a hash and keep the id as a property), ' +
        'or accept that ceiling: the copy ramps up by the 500/50/5 rule either way',
    });
  }
  for (const p of mapping.properties) {
    const col = byName.get(p.column);
    if (!col || !p.indexed || !growing(col)) continue;
    risks.push({
      level: 'warning',
      code: 'monotonic-index',
      table: table.name,
      column: col.name,
      message:
        `indexed property ${p.property} only grows (${why(col)}): its index takes every new write at one end, a hotspot on a real project at high write rates. ` +
        `Unindex it if no query needs it (columns: { ${col.name}: { index: false } }), or accept the write ceiling of one index range (~500 writes/s)`,
    });
  }
  return risks;
}

function growing(c: ColumnInfo): boolean {
  return !!(c.autoIncrement || c.defaultNow || c.onUpdateNow);
}

function why(c: ColumnInfo): string {
  if (c.autoIncrement) return 'AUTO_INCREMENT';
  return c.onUpdateNow ? 'ON UPDATE CURRENT_TIMESTAMP' : 'DEFAULT CURRENT_TIMESTAMP';
}
