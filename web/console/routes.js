import { html, useRef, useState } from '../vendor/preact-htm.js';
import { api, fmt } from './api.js';
import { usePoll } from './poll.js';
import { Sparkline } from './sparkline.js';

/** What a dial change will do, in words, with the traffic it moves (from the last minute's rate). */
export function describeChange(route, rates, next) {
  const perMinute = rates ? (rates.legacy.lastMinute.rps + rates.new.lastMinute.rps) * 60 : 0;
  const about = (pct) => `about ${Math.round((perMinute * pct) / 100)} requests a minute`;
  const lines = [];
  const d = route.dial;
  if (next.new !== d.new) {
    const delta = Math.round(Math.abs(next.new - d.new) * 100) / 100;
    lines.push(next.new > d.new ? `${delta}% of users — ${about(delta)} — move to new (new: ${d.new}% → ${next.new}%)` : `${delta}% of users — ${about(delta)} — move back to legacy (new: ${d.new}% → ${next.new}%)`);
  }
  if (next.shadow !== d.shadow) lines.push(`Mirroring: ${d.shadow}% → ${next.shadow}% of requests — ${about(next.shadow)} — copied to the other backend and compared`);
  if (next.fallback !== d.fallback) lines.push(next.fallback ? 'Fallback on: a failing new service is answered by legacy (idempotent requests)' : 'Fallback off: a failing new service fails the user\'s request');
  return lines;
}

function BackendRates({ name, r }) {
  const m = r?.lastMinute;
  return html`<div class="backend">
    <span class="tag tag-${name}">${name}</span>
    <span>${fmt.rate(m?.rps)}</span>
    <span title="5xx share, last minute">errors ${fmt.pct(m?.errorRate)}</span>
    <span>p50 ${fmt.ms(m?.p50)}</span>
    <span>p95 ${fmt.ms(m?.p95)}</span>
  </div>`;
}

function History({ route, changes, onRollback, busy }) {
  return html`<section class="history" aria-label="History of ${route}">
    <div class="row">
      <h3>History</h3>
      <button type="button" class="secondary" onClick=${onRollback} disabled=${busy || !changes?.length}>Roll back the last change</button>
    </div>
    ${changes === null
      ? html`<p>Loading…</p>`
      : changes.length === 0
        ? html`<p>No runtime change yet: the dials are the config's.</p>`
        : html`<ol class="changes">
            ${changes.slice(0, 8).map(
              (c) => html`<li>
                <strong>v${c.version}</strong> ${c.action === 'rollback' ? `rollback of v${c.undoes}` : 'set'} by ${c.who}, ${fmt.when(c.at)}:
                new ${c.before.new}% → ${c.after.new}%, shadow ${c.before.shadow}% → ${c.after.shadow}%, fallback ${String(c.before.fallback)} → ${String(c.after.fallback)}
              </li>`,
            )}
          </ol>`}
  </section>`;
}

/** The guard's verdict on the new service and the ramp turning this route (or its group), in words. */
function Pilot({ guard, ramp }) {
  if (!guard && !ramp) return null;
  return html`<ul class="pilot">
    ${guard && html`<li data-guard=${guard.verdict.state}>Guard: <strong>${guard.verdict.state}</strong>${guard.verdict.reason ? ` — ${guard.verdict.reason}` : ''} (new ${guard.requests} answers, ${guard.failures} failed, p95 ${fmt.ms(guard.p95Ms)}; healthy dials ${guard.healthyDials.join(', ') || 'none yet'})</li>`}
    ${ramp && html`<li data-ramp=${ramp.status}>Ramp on ${ramp.target}: <strong>${ramp.status}</strong>, step ${ramp.step + 1} of ${ramp.steps.length} (${ramp.steps.join(' → ')}%), each held ${fmt.duration(Math.round(ramp.holdMs / 1000))}${ramp.requireReady ? ' and ready' : ''}, since ${fmt.when(ramp.since)}, by ${ramp.who}${ramp.reason ? ` — ${ramp.reason}` : ''}</li>`}
  </ul>`;
}

function RouteCard({ route, rates, verdict, guard, ramp, author, onChanged }) {
  const [draft, setDraft] = useState(null);
  const [changes, setChanges] = useState(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const dialog = useRef(null);
  const id = route.name.replace(/[^A-Za-z0-9_-]/g, '_');

  const loadHistory = async () => setChanges((await api(`routes/${encodeURIComponent(route.name)}/history`)).changes);
  const toggleHistory = (e) => {
    setOpen(e.currentTarget.open);
    if (e.currentTarget.open) loadHistory().catch((err) => setMessage({ error: true, text: err.message }));
  };
  const afterChange = async (text) => {
    setMessage({ error: false, text });
    setOpen(true);
    await Promise.all([loadHistory(), onChanged()]);
  };
  const run = async (work) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      setMessage({ error: true, text: err.message });
    } finally {
      setBusy(false);
    }
  };
  const review = (e) => {
    e.preventDefault();
    if (!author.trim()) return setMessage({ error: true, text: 'Type your name at the top first: every change records its author.' });
    const f = e.currentTarget.elements;
    const next = { new: Number(f.new.value), shadow: Number(f.shadow.value), fallback: f.fallback.checked };
    if (describeChange(route, rates, next).length === 0) return setMessage({ error: true, text: 'Nothing would change.' });
    setDraft(next);
    setMessage(null);
    queueMicrotask(() => dialog.current?.showModal());
  };
  const confirm = () =>
    run(async () => {
      const patch = {};
      for (const k of ['new', 'shadow', 'fallback']) if (draft[k] !== route.dial[k]) patch[k] = draft[k];
      const c = await api(`routes/${encodeURIComponent(route.name)}`, { method: 'PATCH', body: { ...patch, who: author } });
      dialog.current?.close();
      setDraft(null);
      await afterChange(`Changed: version ${c.version}.`);
    });
  const rollback = () =>
    run(async () => {
      if (!author.trim()) throw new Error('Type your name at the top first: every change records its author.');
      const c = await api(`routes/${encodeURIComponent(route.name)}/rollback`, { method: 'POST', body: { who: author } });
      await afterChange(`Rolled back version ${c.undoes}: new ${c.after.new}%, shadow ${c.after.shadow}%.`);
    });

  const legacyPts = rates?.legacy.spark ?? [];
  const newPts = rates?.new.spark ?? [];
  const minutes = Math.max(1, Math.round((legacyPts.length * (rates?.intervalMs ?? 5000)) / 60_000));
  return html`<article class="card" aria-labelledby="r-${id}">
    <div class="row">
      <h2 id="r-${id}">${route.name}</h2>
      <code class="match">${route.methods.join(',')} ${route.path}${route.host ? ` host ${route.host}` : ''}${route.group ? ` · group ${route.group}` : ''}</code>
    </div>
    <dl class="dials">
      <div><dt>new</dt><dd data-dial="new">${fmt.dial(route.dial.new)}</dd></div>
      <div><dt>shadow</dt><dd data-dial="shadow">${fmt.dial(route.dial.shadow)}</dd></div>
      <div><dt>fallback</dt><dd data-dial="fallback">${route.dial.fallback ? 'on' : 'off'}</dd></div>
      <div><dt>from</dt><dd data-dial="source">${route.source}</dd></div>
    </dl>
    <div class="rates">
      <${BackendRates} name="legacy" r=${rates?.legacy} />
      <${BackendRates} name="new" r=${rates?.new} />
      <${Sparkline} legacy=${legacyPts} next=${newPts}
        label=${`Requests per second over the last ${minutes} min: legacy ${fmt.rate(rates?.legacy.lastMinute.rps)}, new ${fmt.rate(rates?.new.lastMinute.rps)}`} />
    </div>
    <${Pilot} guard=${guard} ramp=${ramp} />
    <p class="verdict" data-ready=${verdict ? String(verdict.ready) : 'unknown'}>
      Readiness: ${verdict ? html`<strong>${verdict.ready ? 'ready' : 'not ready'}</strong>${verdict.reasons.length ? ` — ${verdict.reasons.join('; ')}` : ''}` : 'no diff verdict (shadow is off and no records)'}
    </p>
    <form key=${`${route.dial.new}/${route.dial.shadow}/${route.dial.fallback}`} class="dial-form" onSubmit=${review} aria-label="Change the dials of ${route.name}">
      <label>new %<input name="new" type="number" min="0" max="100" step="0.01" defaultValue=${route.dial.new} /></label>
      <label>shadow %<input name="shadow" type="number" min="0" max="100" step="0.01" defaultValue=${route.dial.shadow} /></label>
      <label class="check"><input name="fallback" type="checkbox" defaultChecked=${route.dial.fallback} /> fallback</label>
      <button type="submit" disabled=${busy}>Review change…</button>
    </form>
    ${message && html`<p role=${message.error ? 'alert' : 'status'} class=${message.error ? 'error' : 'ok'}>${message.text}</p>`}
    <dialog ref=${dialog} aria-labelledby="c-${id}" onClose=${() => setDraft(null)}>
      ${draft &&
      html`<h2 id="c-${id}">Change ${route.name}?</h2>
        <ul class="consequences">${describeChange(route, rates, draft).map((l) => html`<li>${l}</li>`)}</ul>
        <p>Recorded as <strong>${author}</strong>; one click rolls it back.</p>
        <div class="row">
          <button type="button" onClick=${confirm} disabled=${busy}>Confirm change</button>
          <button type="button" class="secondary" onClick=${() => dialog.current?.close()}>Cancel</button>
        </div>`}
    </dialog>
    <details open=${open} onToggle=${toggleHistory}>
      <summary>History and rollback</summary>
      ${open && html`<${History} route=${route.name} changes=${changes} onRollback=${rollback} busy=${busy} />`}
    </details>
  </article>`;
}

export function RoutesPage({ author }) {
  const routes = usePoll(() => api('routes'), 3000);
  const verdicts = usePoll(() => api('verdicts'), 15_000);
  if (!routes.data) return html`<p>${routes.error ? html`<span role="alert" class="error">${routes.error.message}</span>` : 'Loading routes…'}</p>`;
  const rateOf = (name) => routes.data.rates.find((r) => r.route === name);
  const verdictOf = (name) => verdicts.data?.routes?.find((v) => v.route === name);
  const guardOf = (name) => routes.data.guard?.find((g) => g.route === name);
  const rampOf = (r) => routes.data.ramps?.find((x) => x.target === r.name || (r.group && x.target === r.group));
  return html`<section aria-labelledby="routes-h">
    <div class="row">
      <h1 id="routes-h">Routes</h1>
      <span class="muted">state version ${routes.data.version}${routes.error ? ' — refresh failed, showing the last answer' : ''}</span>
    </div>
    ${verdicts.data?.unavailable && html`<p class="muted">Readiness: ${verdicts.data.unavailable}</p>`}
    ${routes.data.routes.length === 0 && html`<p>No route configured: every request goes to legacy.</p>`}
    ${routes.data.routes.map((r) => html`<${RouteCard} key=${r.name} route=${r} rates=${rateOf(r.name)} verdict=${verdictOf(r.name)} guard=${guardOf(r.name)} ramp=${rampOf(r)} author=${author} onChanged=${() => Promise.all([routes.reload(), verdicts.reload()])} />`)}
  </section>`;
}
