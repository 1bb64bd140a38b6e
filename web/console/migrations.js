import { html } from '../vendor/preact-htm.js';
import { api, fmt } from './api.js';
import { usePoll } from './poll.js';

// "clean" or "N differences", with the totals behind it in the tooltip; a sampled verify that saw
// only the counts differ lists no difference.
function verifyText(v) {
  const total = v.missing + v.extra + v.fieldDiffs;
  return v.clean ? 'clean' : total === 0 ? 'counts differ' : `${total} difference${total === 1 ? '' : 's'}`;
}

function LastVerify({ v }) {
  if (!v) return html`<td class="muted">never</td>`;
  const detail = `${v.rows} rows, ${v.entities} entities; ${v.missing} missing, ${v.extra} extra, ${v.fieldDiffs} field diffs; took ${fmt.duration(Math.round(v.ms / 1000))}`;
  return html`<td title=${detail} data-verify=${v.table}><span class=${v.clean ? 'ok' : 'error'}>${verifyText(v)}</span>, ${fmt.when(v.at)}</td>`;
}

export function MigrationsPage() {
  const m = usePoll(() => api('migrations'), 5000);
  const d = m.data;
  return html`<section aria-labelledby="mig-h">
    <h1 id="mig-h">Migrations</h1>
    ${m.error && html`<p role="alert" class="error">${m.error.message}</p>`}
    ${!d ? html`<p>Loading…</p>` : !d.configured ? html`<p class="notice" data-migrations="none">${d.why}</p>` : html`
      <p class="muted">From the checkpoint store, ${fmt.when(d.at)}. Last verify is the latest <code>strangler migrate verify</code> of the table.</p>
      ${d.tables.length === 0 && html`<p>No table started yet.</p>`}
      ${d.tables.length > 0 && html`<div class="scroll"><table>
        <caption>Tables and shards</caption>
        <thead><tr>
          <th scope="col">Table</th><th scope="col">State</th><th scope="col">Rows copied</th><th scope="col">Rate</th><th scope="col">ETA</th>
          <th scope="col">Dead letters</th><th scope="col">Retries</th><th scope="col">Catch-up lag</th><th scope="col">Last verify</th><th scope="col">Updated</th>
        </tr></thead>
        <tbody>${d.tables.map(
          (t) => html`<tr data-table=${t.table}>
            <th scope="row">${t.table} <span class="muted">→ ${t.kind}${t.shard !== '0/1' ? `, shard ${t.shard}` : ''}</span></th>
            <td>${t.state}</td>
            <td><span data-rows=${t.table}>${t.rowsCopied} / ${t.rowsTotal}</span>
              <progress max=${Math.max(1, t.rowsTotal)} value=${t.rowsCopied} aria-label="${t.table}: ${t.rowsCopied} of ${t.rowsTotal} rows"></progress></td>
            <td>${t.rate} rows/s</td>
            <td>${t.state === 'done' ? 'done' : fmt.duration(t.etaSeconds)}</td>
            <td>${t.deadLetters}</td>
            <td>${t.retries}</td>
            <td title=${t.lastSync ? `last sync began ${t.lastSync} UTC` : `no sync yet; backfill began ${t.watermark} UTC`}>${fmt.duration(t.lagSeconds)}${t.lastSync ? '' : ' (no sync yet)'}</td>
            <${LastVerify} v=${t.lastVerify} />
            <td>${fmt.when(t.updatedAt)}</td>
          </tr>`,
        )}</tbody>
      </table></div>`}
      ${d.notStarted.length > 0 && html`<p>Not started: ${d.notStarted.join(', ')}</p>`}`}
  </section>`;
}
