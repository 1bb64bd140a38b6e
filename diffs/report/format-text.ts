/** The report as a terminal table, then per route its fields, noise and normalisers. */
import type { FieldStat, Report, RouteReport } from './compute.js';

export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

export function ms(v: number | undefined): string {
  return v === undefined ? '-' : v < 10 ? v.toFixed(1) : String(Math.round(v));
}

export function kinds(f: FieldStat): string {
  return Object.entries(f.kinds)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export function normalisedText(r: RouteReport): string {
  const parts = Object.entries(r.normalised)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** "/post/:n (12: /post/1, /post/2), /about (1: /about)". */
export function templatesText(f: FieldStat, max = 3): string {
  const t = f.templates ?? [];
  const shown = t.slice(0, max).map((x) => `${x.template} (${x.count}: ${x.paths.slice(0, 2).join(', ')})`);
  return shown.join(', ') + (t.length > max ? `, … ${t.length - max} more template(s)` : '');
}

/** "legacy/legacy 7 of 10, legacy/new 18 of 25". */
export function ratesText(r: NonNullable<FieldStat['rates']>): string {
  return `legacy/legacy ${r.legacyLegacy[0]} of ${r.legacyLegacy[1]}, legacy/new ${r.legacyNew[0]} of ${r.legacyNew[1]}`;
}

export function noiseSamplesText(r: RouteReport): string {
  const n = r.noise;
  const head = `noise samples: ${n.samples} over ${n.templates} path template(s)`;
  if (n.enough) return `${head} (enough to judge)`;
  return `${head} (not enough: ${n.short.map((s) => `${s.template} has ${s.samples} for ${s.compared} record(s)`).join(', ')})`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function formatText(report: Report): string {
  const head = ['route', 'compared', 'matched', 'mismatch', 'upper95', 'legacy p50/p95 ms', 'new p50/p95 ms', 'verdict'];
  const rows = report.routes.map((r) => [
    r.route,
    String(r.compared),
    String(r.matched),
    pct(r.mismatchRate),
    pct(r.mismatchUpper95),
    `${ms(r.latencyMs.legacy.p50)}/${ms(r.latencyMs.legacy.p95)}`,
    `${ms(r.latencyMs.new.p50)}/${ms(r.latencyMs.new.p95)}`,
    r.ready ? 'ready' : 'NOT READY',
  ]);
  const lines = [
    `diff report: ${report.records} record(s)${report.since ? ` since ${report.since}` : ''}; ready = mismatch upper bound (95%) ≤ ${report.maxMismatchPct}% and compared ≥ ${report.minCompared}`,
    '',
    report.routes.length === 0 ? '(no routes: no records selected and none configured with shadow on)' : table([head, ...rows]),
  ];
  for (const r of report.routes) {
    lines.push('', `${r.route}: ${r.ready ? 'ready' : `not ready (${r.reasons.join('; ')})`}`);
    if (r.topFields.length > 0) {
      lines.push('  top differing fields:');
      for (const f of r.topFields) {
        lines.push(`    ${String(f.count).padStart(6)}  ${f.path}  (${kinds(f)})${f.example ? `  e.g. ${f.example}` : ''}`);
        if (f.templates && f.templates.length > 0) lines.push(`            on ${templatesText(f)}`);
      }
    }
    if (r.noiseFields.length > 0) lines.push(`  noise: ${r.noiseFields.map((f) => `${f.path} (${f.count}${f.rates ? `; ${ratesText(f.rates)}` : ''})`).join(', ')}`);
    if (r.noise) lines.push(`  ${noiseSamplesText(r)}`);
    if (r.unstructured > 0) lines.push(`  not structured: ${r.unstructured} record(s) differ in a body compared as text or by hash (never learnt as noise)`);
    if (r.writeSuspects?.length) lines.push(`  GETs that look like writes (legacy answered twice with a new id; add them to proxy.shadow.exclude): ${r.writeSuspects.map((w) => `${w.path} (${w.change})`).join(', ')}`);
    lines.push(`  normalised: ${normalisedText(r)}`);
  }
  return lines.join('\n') + '\n';
}

export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
