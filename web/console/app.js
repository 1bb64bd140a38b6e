import { html, render, useEffect, useState } from '../vendor/preact-htm.js';
import { api, ApiError, setCsrf } from './api.js';
import { RoutesPage } from './routes.js';
import { DiffsPage, PairPage } from './diffs.js';
import { MigrationsPage } from './migrations.js';

const AUTHOR_KEY = 'strangler.console.author';

function useHash() {
  const [hash, setHash] = useState(location.hash || '#/routes');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/routes');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const input = e.currentTarget.elements.token;
    setBusy(true);
    try {
      const { csrf } = await api('session', { method: 'POST', body: { token: input.value } });
      input.value = '';
      setCsrf(csrf);
      onSignedIn();
    } catch (err) {
      setError(err.status === 401 ? 'That is not the admin token of this proxy.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="page signin">
    <h1>strangler console</h1>
    <form onSubmit=${submit} aria-describedby="signin-help">
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
      <p id="signin-help" class="help">The value of <code>proxy.admin.token</code>. It is sent once; the console then keeps a session cookie.</p>
      <button type="submit" disabled=${busy}>Sign in</button>
      ${error && html`<p role="alert" class="error">${error}</p>`}
    </form>
  </main>`;
}

function Shell({ onSignedOut }) {
  const hash = useHash();
  const [author, setAuthor] = useState(() => localStorage.getItem(AUTHOR_KEY) ?? '');
  const saveAuthor = (v) => {
    setAuthor(v);
    localStorage.setItem(AUTHOR_KEY, v); // a name, not a secret
  };
  const signOut = async () => {
    await api('session', { method: 'DELETE' }).catch(() => undefined);
    setCsrf(null);
    onSignedOut();
  };
  const page = hash.split('/')[1] ?? 'routes';
  const link = (to, label) => html`<a href="#/${to}" aria-current=${page === to || (to === 'diffs' && page === 'pair') ? 'page' : undefined}>${label}</a>`;
  let body;
  if (page === 'diffs') body = html`<${DiffsPage} />`;
  else if (page === 'pair') body = html`<${PairPage} id=${decodeURIComponent(hash.split('/')[2] ?? '')} />`;
  else if (page === 'migrations') body = html`<${MigrationsPage} />`;
  else body = html`<${RoutesPage} author=${author} />`;
  return html`<div>
    <header class="bar">
      <strong class="brand">strangler</strong>
      <nav aria-label="Pages">${link('routes', 'Routes')} ${link('diffs', 'Diffs')} ${link('migrations', 'Migrations')}</nav>
      <div class="who">
        <label for="author">Your name</label>
        <input id="author" value=${author} onInput=${(e) => saveAuthor(e.currentTarget.value)} placeholder="recorded with each change" maxlength="80" />
        <button type="button" class="secondary" onClick=${signOut}>Sign out</button>
      </div>
    </header>
    <main class="page">${body}</main>
  </div>`;
}

function App() {
  const [state, setState] = useState('checking');
  useEffect(() => {
    api('session').then(
      ({ csrf }) => {
        setCsrf(csrf);
        setState('in');
      },
      (err) => setState(err instanceof ApiError && err.status === 401 ? 'out' : 'error'),
    );
  }, []);
  if (state === 'checking') return html`<p class="page">Loading the console…</p>`;
  if (state === 'error') return html`<p class="page error" role="alert">The admin listener did not answer. Reload the page.</p>`;
  if (state === 'out') return html`<${SignIn} onSignedIn=${() => setState('in')} />`;
  return html`<${Shell} onSignedOut=${() => setState('out')} />`;
}

render(html`<${App} />`, document.getElementById('app'));
