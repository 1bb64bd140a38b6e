import type { Plan, PlanTable } from './plan.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function keyLine(t: PlanTable): string {
  const own = t.key.columns.length > 1
    ? `(${t.key.columns.join(', ')}) → key name "${t.key.columns.map((c) => `<${c}>`).join(':')}"`
    : `${t.key.columns[0]} → ${t.key.strategy === 'id' ? 'numeric id' : 'key name'}`;
  const parent = t.key.parent ? `, ancestor ${t.key.parent.kind}(${t.key.parent.column} → ${t.key.parent.strategy === 'id' ? 'id' : 'name'})` : '';
  return `  key: ${own}${parent}`;
}

const LEVEL = { error: 'ERROR  ', warning: 'WARNING', info: 'info   ' } as const;

/** The plan as the terminal shows it: one block per table, then a summary line. */
export function formatPlan(plan: Plan): string {
  const out: string[] = [`plan for database ${plan.database} (DATETIME read as ${plan.sourceTimeZone}${plan.sourceTimeZoneDeclared ? '' : ' (no zone declared)'}, TIMESTAMP as UTC)`, ''];
  for (const t of plan.tables) {
    const rows = t.rows !== undefined ? `${t.rows} rows` : `~${t.rowEstimate} rows (estimate)`;
    if (t.refused) {
      out.push(`${t.table}: REFUSED  ${rows}`);
    } else {
      out.push(`${t.table} → kind ${t.kind}  ${rows}`);
      if (t.key.columns.length > 0) out.push(keyLine(t));
      if (t.updatedAt) out.push(`  updatedAt: ${t.updatedAt}`);
      if (t.transform) out.push(`  transform: ${t.transform}`);
      if (t.onChange) out.push(`  onChange: ${t.onChange} (migrate follow calls it per applied batch)`);
      const w1 = Math.max(...t.properties.map((p) => p.column.length), 6);
      const w2 = Math.max(...t.properties.map((p) => p.sqlType.length), 8);
      const w3 = Math.max(...t.properties.map((p) => p.property.length), 8);
      out.push('  properties:');
      for (const p of t.properties) {
        const notes = [p.indexed ? '' : 'unindexed', p.timeZone && p.timeZone !== 'UTC' ? `in ${p.timeZone}` : ''].filter(Boolean).join(', ');
        out.push(`    ${pad(p.column, w1)}  ${pad(p.sqlType, w2)}  → ${pad(p.property, w3)}  ${pad(p.type, 9)}${notes ? ` ${notes}` : ''}`.trimEnd());
      }
      if (t.skipped.length > 0) out.push(`  skipped: ${t.skipped.join(', ')}`);
    }
    if (t.risks.length > 0) {
      out.push('  risks:');
      for (const r of t.risks) out.push(`    ${LEVEL[r.level]} ${r.column ? `${r.column}: ` : ''}${r.message}`);
    }
    out.push('');
  }
  if (plan.binlog) {
    const b = plan.binlog;
    out.push(b.usable ? `binlog: usable for migrate follow (${b.notes.join('; ')})` : `binlog: NOT usable for migrate follow: ${b.problems.join('; ')}; ${b.notes.join('; ')}`, '');
  }
  const s = plan.summary;
  out.push(`${s.tables} table(s), ${s.refused} refused, ${s.warnings} warning(s), ${s.infos} note(s)`);
  return out.join('\n') + '\n';
}
