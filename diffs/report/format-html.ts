/**
 * The report as one self-contained HTML page a QA person can act on: per route the verdict, a latency
 * distribution chart (inline SVG), the top differing fields with the request paths they differed on
 * (grouped by path template) and example pairs side by side with the differing part highlighted,
 * noise with its rates, noise samples, and GETs that look like writes. Inline CSS, no script, no
 * external asset, so it can be attached to a ticket or archived by CI. Every value is escaped; the
 * markup is well-formed (every element closed) so it also parses as XML.
 */
import type { FieldStat, Report, RouteReport } from './compute.js';
import type { FieldExample } from './field-stats.js';
import { kinds, ms, noiseSamplesText, normalisedText, pct, ratesText } from './format-text.js';
import { latencySvg } from './latency-svg.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:2rem 0 .4rem}h3{font-size:1rem;margin:1rem 0 .3rem}
p.meta{color:#5b6475;margin:0 0 1rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;min-width:40rem}
th,td{border:1px solid #d8dce5;padding:.3rem .6rem;text-align:right;vertical-align:top}
th{background:#f3f5f9}td.l,th.l{text-align:left}code{font:12px/1.3 ui-monospace,Menlo,Consolas,monospace}
.ready{color:#0a7a33;font-weight:600}.not-ready{color:#b3261e;font-weight:600}
.verdict{display:inline-block;padding:.15rem .5rem;border-radius:.3rem;background:#f3f5f9}
ul{margin:.2rem 0 1rem}
table.pairs{width:100%;table-layout:fixed}table.pairs td{text-align:left;white-space:pre-wrap;word-break:break-word;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace}
mark.del{background:#ffd7d5}mark.ins{background:#c8f0d2}.where{color:#5b6475;font-size:12px}
figure.latency{margin:.3rem 0 1rem}figcaption{font-size:12px;color:#5b6475}
.warn{background:#fff6e0;border-left:3px solid #e0a800;padding:.3rem .6rem}`;

function verdict(r: RouteReport): string {
  return r.ready ? '<span class="ready">ready</span>' : '<span class="not-ready">not ready</span>';
}

function text(v: unknown, present: boolean): string {
  if (!present) return '(absent)';
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

/** Both values with the part between their common start and common end highlighted. */
export function highlightPair(a: string, b: string): [string, string] {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a[p] === b[p]) p++;
  let s = 0;
  while (s < n - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const mark = (t: string, cls: string) => {
    const mid = t.slice(p, t.length - s);
    return escapeHtml(t.slice(0, p)) + (mid ? `<mark class="${cls}">${escapeHtml(mid)}</mark>` : '') + escapeHtml(t.slice(t.length - s));
  };
  return [mark(a, 'del'), mark(b, 'ins')];
}

function examplesTable(examples: readonly FieldExample[]): string {
  const rows = examples.map((e) => {
    const [l, r] = highlightPair(text(e.legacy, 'legacy' in e), text(e.new, 'new' in e));
    return `<tr><td>${escapeHtml(e.request)}<br /><span class="where">${escapeHtml(e.at)} · ${e.kind} · record ${escapeHtml(e.id)}</span></td><td>${l}</td><td>${r}</td></tr>`;
  });
  return `<table class="pairs"><thead><tr><th class="l">request</th><th class="l">legacy</th><th class="l">new</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function where(f: FieldStat): string {
  const t = f.templates ?? [];
  if (t.length === 0) return '';
  return `<ul>${t.slice(0, 5).map((x) => `<li><code>${escapeHtml(x.template)}</code> — ${x.count} record(s): ${x.paths.map((p) => `<code>${escapeHtml(p)}</code>`).join(', ')}</li>`).join('')}${t.length > 5 ? `<li>… ${t.length - 5} more template(s)</li>` : ''}</ul>`;
}

function fieldBlock(f: FieldStat): string {
  return `<h4><code>${escapeHtml(f.path)}</code> — ${f.count} record(s) (${escapeHtml(kinds(f))})</h4>
<p class="where">Request paths, by template:</p>${where(f)}${f.examples && f.examples.length > 0 ? examplesTable(f.examples) : ''}`;
}

function routeSection(r: RouteReport): string {
  const fields = r.topFields.length === 0 ? '<p>No differing fields.</p>' : r.topFields.map(fieldBlock).join('\n');
  const noise =
    r.noiseFields.length === 0
      ? '<p>No noise fields.</p>'
      : `<ul>${r.noiseFields.map((f) => `<li><code>${escapeHtml(f.path)}</code> (${f.count}${f.rates ? `; ${escapeHtml(ratesText(f.rates))}` : ''})</li>`).join('')}</ul>`;
  const writes =
    r.writeSuspects.length === 0
      ? ''
      : `<p class="warn">GET paths whose legacy answer changed between two asks like a write (a new id): ${r.writeSuspects.map((w) => `<code>${escapeHtml(w.path)}</code> (${escapeHtml(w.change)})`).join(', ')}. Mirroring and re-asking them writes again: add them to <code>proxy.shadow.exclude</code>.</p>`;
  const unstructured = r.unstructured > 0 ? `<p class="warn">${r.unstructured} record(s) differ in a body that is not structured (compared as text or by hash): never learnt as noise.</p>` : '';
  return `<section id="route-${escapeHtml(r.route)}"><h2>${escapeHtml(r.route)} — ${verdict(r)}</h2>
${r.reasons.length > 0 ? `<p>${escapeHtml(r.reasons.join('; '))}</p>` : ''}
${latencySvg(r)}
<p>${escapeHtml(noiseSamplesText(r))}</p>${writes}${unstructured}
<h3>Top differing fields</h3>${fields}
<h3>Noise (differs between two legacy answers about as often as between legacy and new)</h3>${noise}
<p>Normalised: ${escapeHtml(normalisedText(r))}</p></section>`;
}

export function formatHtml(report: Report): string {
  const rows = report.routes
    .map(
      (r) =>
        `<tr><td class="l">${escapeHtml(r.route)}</td><td>${r.compared}</td><td>${r.matched}</td><td>${pct(r.mismatchRate)}</td><td>${pct(r.mismatchUpper95)}</td><td>${ms(r.latencyMs.legacy.p50)} / ${ms(r.latencyMs.legacy.p95)}</td><td>${ms(r.latencyMs.new.p50)} / ${ms(r.latencyMs.new.p95)}</td><td class="l">${verdict(r)}</td></tr>`,
    )
    .join('\n');
  const overall = report.ready ? '<span class="ready">every route ready</span>' : '<span class="not-ready">not ready</span>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><title>strangler diff report</title><style>${CSS}</style></head>
<body><h1>Dual-read diff report</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)}${report.since ? `, records since ${escapeHtml(report.since)}` : ''}; ${report.records} record(s).
A route is ready when the 95% upper bound of its mismatch rate is at most ${report.maxMismatchPct}% and it has at least ${report.minCompared} compared pairs.
A field's difference is noise on a page when legacy, asked twice, differed on it too and legacy vs new does not differ clearly more often.</p>
<p class="verdict">Verdict: ${overall}</p>
<table id="summary"><thead><tr><th class="l">route</th><th>compared</th><th>matched</th><th>mismatch</th><th>upper 95%</th><th>legacy p50 / p95 ms</th><th>new p50 / p95 ms</th><th class="l">verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${report.routes.map(routeSection).join('\n')}
</body></html>
`;
}
