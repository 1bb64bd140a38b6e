import { html, useState } from '../vendor/preact-htm.js';
import { api, fmt } from './api.js';
import { BodyView } from './body-view.js';
import { usePoll } from './poll.js';

const WINDOWS = [
  ['', 'all records'],
  ['15m', 'last 15 minutes'],
  ['1h', 'last hour'],
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
];

function query(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function kinds(f) {
  return Object.entries(f.kinds)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

function RouteDiffs({ r, examples, onField }) {
  return html`<article class="card" aria-labelledby="d-${r.route}">
    <div class="row">
      <h2 id="d-${r.route}">${r.route}</h2>
      <span class="verdict" data-ready=${String(r.ready)}><strong>${r.ready ? 'ready' : 'not ready'}</strong>${r.reasons.length ? ` — ${r.reasons.join('; ')}` : ''}</span>
    </div>
    <dl class="dials">
      <div><dt>compared</dt><dd data-stat="compared">${r.compared}</dd></div>
      <div><dt>matched</dt><dd data-stat="matched">${r.matched}</dd></div>
      <div><dt>mismatch</dt><dd>${fmt.pct(r.mismatchRate)}</dd></div>
      <div><dt>upper bound (95%)</dt><dd>${fmt.pct(r.mismatchUpper95)}</dd></div>
      <div><dt>noise fields</dt><dd>${r.noiseFields.length ? r.noiseFields.map((f) => f.path).join(', ') : 'none'}</dd></div>
      <div><dt>p50 / p95 legacy</dt><dd>${fmt.ms(r.latencyMs.legacy.p50)} / ${fmt.ms(r.latencyMs.legacy.p95)}</dd></div>
      <div><dt>p50 / p95 new</dt><dd>${fmt.ms(r.latencyMs.new.p50)} / ${fmt.ms(r.latencyMs.new.p95)}</dd></div>
    </dl>
    ${r.topFields.length === 0
      ? html`<p>No differing field${r.compared ? '' : ' (no pair compared yet)'}.</p>`
      : html`<div class="scroll"><table>
          <caption>Fields that differ, most frequent first</caption>
          <thead><tr><th scope="col">Field</th><th scope="col">Pairs</th><th scope="col">Kinds</th><th scope="col">Examples</th></tr></thead>
          <tbody>
            ${r.topFields.map(
              (f) => html`<tr>
                <th scope="row"><button type="button" class="link" onClick=${() => onField(f.path)} title="Only pairs where this field differs"><code>${f.path}</code></button></th>
                <td>${f.count}</td>
                <td>${kinds(f)}</td>
                <td>${(examples?.[f.path] ?? []).map((id, i) => html`<a class="pair-link" href="#/pair/${encodeURIComponent(id)}" aria-label="Pair ${i + 1} where ${f.path} differs">pair ${i + 1}</a> `)}</td>
              </tr>`,
            )}
          </tbody>
        </table></div>`}
  </article>`;
}

export function DiffsPage() {
  const [filters, setFilters] = useState({ route: '', since: '', field: '' });
  const key = query(filters);
  const page = usePoll(() => api(`diffs${key}`), 0, key);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.currentTarget.value });
  const data = page.data;
  const fields = data?.report ? [...new Set(data.report.routes.flatMap((r) => r.topFields.map((f) => f.path)))] : [];
  return html`<section aria-labelledby="diffs-h">
    <div class="row">
      <h1 id="diffs-h">Diffs</h1>
      <a href="api/diffs/report.html${key}" download="strangler-diffs.html">Export the HTML report</a>
    </div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filters">
      <label>Route
        <select value=${filters.route} onChange=${set('route')}>
          <option value="">all routes</option>
          ${(data?.routes ?? []).map((r) => html`<option value=${r}>${r}</option>`)}
        </select>
      </label>
      <label>Time window
        <select value=${filters.since} onChange=${set('since')}>${WINDOWS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select>
      </label>
      <label>Field
        <input list="fields" value=${filters.field} onChange=${set('field')} placeholder="/path/*/name" />
        <datalist id="fields">${fields.map((f) => html`<option value=${f} />`)}</datalist>
      </label>
      <button type="button" class="secondary" onClick=${() => page.reload()}>Refresh</button>
    </form>
    ${page.error && html`<p role="alert" class="error">${page.error.message}</p>`}
    ${!data ? html`<p>Loading diffs…</p>` : data.unavailable ? html`<p class="notice">${data.unavailable}</p>` : html`
      <p class="muted">${data.report.records} pair(s) selected from ${data.source}; ready at ≤ ${data.report.maxMismatchPct}% upper bound with ≥ ${data.report.minCompared} pairs.</p>
      ${data.report.routes.length === 0 && html`<p>No pair compared yet: turn a route's shadow dial up.</p>`}
      ${data.report.routes.map((r) => html`<${RouteDiffs} key=${r.route} r=${r} examples=${data.examples[r.route]} onField=${(f) => setFilters({ ...filters, field: f })} />`)}`}
  </section>`;
}

/** A value as pretty JSON, or a mark that the side has none. */
function show(side, d) {
  if (!(side in d)) return html`<em>(absent)</em>`;
  const v = d[side];
  return typeof v === 'string' && d.path === '@body' ? v : JSON.stringify(v, null, 2);
}

/** Every header of both answers; those the comparison found different are marked. */
function HeadersTable({ answers, differences }) {
  const compared = new Map(differences.filter((d) => d.path.startsWith('@headers/')).map((d) => [d.path.slice('@headers/'.length), d]));
  const names = [...new Set([...Object.keys(answers.legacy.headers), ...Object.keys(answers.new.headers)])].sort();
  const cell = (v, d) => (v === undefined ? html`<em>(absent)</em>` : d ? html`<mark>${v}</mark>` : v);
  return html`<div class="scroll"><table class="pair">
    <caption>Headers (marked: a compared header that differs)</caption>
    <thead><tr><th scope="col">Header</th><th scope="col">legacy</th><th scope="col">new</th></tr></thead>
    <tbody>${names.map((n) => {
      const d = compared.get(n);
      return html`<tr class=${d ? (d.noise ? 'noise' : 'differs') : ''}>
        <th scope="row"><code>${n}</code></th>
        <td><code>${cell(answers.legacy.headers[n], d)}</code></td>
        <td><code>${cell(answers.new.headers[n], d)}</code></td>
      </tr>`;
    })}</tbody>
  </table></div>`;
}

export function PairPage({ id }) {
  const pair = usePoll(() => api(`diffs/pairs/${encodeURIComponent(id)}`), 0, id);
  if (pair.error) return html`<p role="alert" class="error">${pair.error.message}</p>`;
  const p = pair.data;
  if (!p) return html`<p>Loading the pair…</p>`;
  const headers = p.differences.filter((d) => d.path.startsWith('@headers/'));
  const body = p.differences.filter((d) => !d.path.startsWith('@headers/') && d.path !== '@status');
  const a = p.answers;
  const side = (name, s) => html`<div class="side">
    <h2><span class="tag tag-${name}">${name}</span>${p.primary === name ? ' (answered the user)' : ' (mirrored)'}</h2>
    <dl class="dials">
      <div><dt>status</dt><dd data-side-status=${name}>${s.status}</dd></div>
      <div><dt>latency</dt><dd>${fmt.ms(s.latencyMs)}</dd></div>
      ${s.error && html`<div><dt>error</dt><dd>${s.error}</dd></div>`}
    </dl>
    ${a && html`<${BodyView} side=${name} body=${a[name].body} other=${a[name === 'legacy' ? 'new' : 'legacy'].body} differences=${p.differences} />`}
  </div>`;
  const rows = (list) => list.map(
    (d) => html`<tr class=${d.noise ? 'noise' : 'differs'}>
      <th scope="row"><code>${d.path}</code><br /><span class="muted">${d.kind}${d.noise ? ', noise' : ''}</span></th>
      <td><pre><mark>${show('legacy', d)}</mark></pre></td>
      <td><pre><mark>${show('new', d)}</mark></pre></td>
    </tr>`,
  );
  return html`<section aria-labelledby="pair-h">
    <p><a href="#/diffs">← Diffs</a></p>
    <h1 id="pair-h">${p.method} ${p.path}</h1>
    <p class="muted">${p.route} · ${fmt.when(p.time)} · request ${p.requestId} · ${p.match ? 'matched' : 'differs'}</p>
    ${!a && html`<p class="notice" data-answers="none">${p.match
      ? 'A matched pair keeps no bodies: nothing in them differs beyond noise. The differences the comparison saw are below.'
      : 'This record keeps no whole answers (written with proxy.diffs.keepBodyBytes: 0, or by an older version): the parts that differ are below.'}</p>`}
    <div class="sides">${side('legacy', p.legacy)}${side('new', p.new)}</div>
    ${a && html`<${HeadersTable} answers=${a} differences=${p.differences} />`}
    ${!a && html`<div class="scroll"><table class="pair">
      <caption>Headers that differ (compared headers only)</caption>
      <thead><tr><th scope="col">Header</th><th scope="col">legacy</th><th scope="col">new</th></tr></thead>
      <tbody>${headers.length ? rows(headers) : html`<tr><td colspan="3">No compared header differs.</td></tr>`}</tbody>
    </table></div>`}
    <div class="scroll"><table class="pair">
      <caption>Body: the differences one by one</caption>
      <thead><tr><th scope="col">Path</th><th scope="col">legacy</th><th scope="col">new</th></tr></thead>
      <tbody>${body.length ? rows(body) : html`<tr><td colspan="3">The bodies are the same.</td></tr>`}</tbody>
    </table></div>
  </section>`;
}
