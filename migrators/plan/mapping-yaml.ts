import YAML from 'yaml';
import type { Plan, PlanTable } from './plan.js';

/**
 * The plan as a `migrate.tables` map to edit and paste under `migrate:`. Every decision is written out
 * (type and index of every column), so a later run does not re-derive it from data that has changed
 * since (a TINYINT(1) that gained a 2, an UNSIGNED column that crossed 2^63−1). Risks are comments.
 */
export function mappingYaml(plan: Plan, generatedAt = new Date()): string {
  const usable = plan.tables.filter((t) => !t.refused);
  const doc = new YAML.Document(Object.fromEntries(usable.map((t) => [t.table, tableConfig(t, plan.sourceTimeZone)])));
  doc.commentBefore = [
    ` strangler migrate plan: mapping for database ${plan.database}, ${generatedAt.toISOString()}`,
    ' Edit it, then put it under migrate.tables in the config (README "Migrations" lists the types).',
    ...plan.tables.filter((t) => t.refused).map((t) => ` ${t.table}: refused: ${t.risks.find((r) => r.level === 'error')?.message ?? ''}`),
  ].join('\n');
  for (const t of usable) {
    const tableNode = doc.get(t.table, true) as YAML.YAMLMap;
    const tableRisks = t.risks.filter((r) => !r.column && r.level !== 'info');
    if (tableRisks.length > 0) tableNode.commentBefore = tableRisks.map((r) => ` ${r.level.toUpperCase()}: ${r.message}`).join('\n');
    const key = doc.getIn([t.table, 'key'], true);
    if (YAML.isSeq(key)) key.flow = true;
    for (const flat of ['parent', 'reverse']) {
      const node = doc.getIn([t.table, flat], true);
      if (YAML.isMap(node)) node.flow = true;
    }
    for (const column of [...t.properties.map((p) => p.column), ...t.skipped]) {
      const node = doc.getIn([t.table, 'columns', column], true) as YAML.YAMLMap;
      node.flow = true;
      const notes = t.risks.filter((r) => r.column === column && r.level !== 'info');
      if (notes.length > 0) node.comment = ` ${notes.map((r) => `${r.level.toUpperCase()}: ${r.message}`).join(' / ')}`;
    }
    if (t.suggestedUpdatedAt) {
      const columnsPair = tableNode.items.find((i) => YAML.isScalar(i.key) && i.key.value === 'columns');
      if (columnsPair && YAML.isScalar(columnsPair.key)) columnsPair.key.commentBefore = ` updatedAt: ${t.suggestedUpdatedAt}   # for migrate sync: uncomment if the app keeps it current`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

function tableConfig(t: PlanTable, sourceTimeZone: string): Record<string, unknown> {
  const columns: Record<string, Record<string, unknown>> = {};
  for (const p of t.properties) {
    const c: Record<string, unknown> = { type: p.type };
    if (p.property !== p.column) c.rename = p.property;
    const indexedLong = t.risks.some((r) => r.column === p.column && r.code === 'long-value') && p.indexed;
    if (!p.indexed) c.index = false;
    else if (indexedLong) c.index = true;
    if (p.timeZone && p.timeZone !== sourceTimeZone && !p.sqlType.startsWith('timestamp')) c.timeZone = p.timeZone;
    columns[p.column] = c;
  }
  for (const s of t.skipped) columns[s] = { skip: true };
  return {
    kind: t.kind,
    key: t.key.columns.length === 1 ? t.key.columns[0] : t.key.columns,
    ...(t.key.parent ? { parent: { kind: t.key.parent.kind, column: t.key.parent.column } } : {}),
    ...(t.updatedAt ? { updatedAt: t.updatedAt } : {}),
    ...(t.transform ? { transform: t.transform } : {}),
    ...(t.onChange ? { onChange: t.onChange } : {}),
    ...(t.reverse ? { reverse: t.reverse } : {}),
    columns,
  };
}
