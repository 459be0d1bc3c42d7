import { h, clear, route } from './dom.js';
import { api, session, onUnauthorized } from './api.js';
import { currentParts, PageContext } from './router.js';
import { state, onStateChange, setWritable, resetState } from './state.js';
import { TYPES } from './resources.js';
import { renderOverview, readOnlyReason } from './pages/overview.js';
import { renderList, renderDetail } from './pages/resources.js';
import { renderRoutes, renderRoute } from './pages/routes.js';
import { renderUpstreams, renderUpstream } from './pages/upstreams.js';
import { renderSsls, renderSsl } from './pages/ssls.js';
import { renderPlugins, renderPlugin } from './pages/plugins.js';
import { renderHistory, renderHistoryEntry } from './pages/history.js';
import { renderEditor } from './pages/editor.js';
import { pageHeading, errorBox } from './pages/common.js';

const signinView = document.getElementById('signin-view');
const appView = document.getElementById('app-view');
const signinForm = document.getElementById('signin');
const signinKey = document.getElementById('signin-key');
const signinSubmit = document.getElementById('signin-submit');
const signinError = document.getElementById('signin-error');
const signinInfo = document.getElementById('signin-info');
const pageEl = document.getElementById('page');
const banner = document.getElementById('read-only-banner');
const versionEl = document.getElementById('gateway-version');

let currentPage = null;

// Pages per section: list, detail, editor. Lists and details of most types are generic.
const SPECIAL = {
  routes: { list: renderRoutes, detail: renderRoute },
  upstreams: { list: renderUpstreams, detail: renderUpstream },
  ssls: { list: renderSsls, detail: renderSsl },
};

function dispatch(view, ctx) {
  const [section, a, b, ...rest] = ctx.parts;
  if (section === 'overview' && !a) return renderOverview(view, ctx);
  if (section === 'plugins') {
    if (!a) return renderPlugins(view, ctx);
    if (!b) return renderPlugin(view, ctx, a);
  }
  if (section === 'history') {
    if (!a) return renderHistory(view, ctx);
    if (!b) return renderHistoryEntry(view, ctx, a);
  }
  const type = TYPES[section];
  if (type && rest.length === 0) {
    const pages = SPECIAL[section] || {};
    if (!a) return (pages.list || ((v, c) => renderList(v, c, type)))(view, ctx);
    if (a === 'new' && !b) return renderEditor(view, ctx, type, null);
    if (b === 'edit') return renderEditor(view, ctx, type, a);
    if (!b) return (pages.detail || ((v, c, id) => renderDetail(v, c, type, id)))(view, ctx, a);
  }
  pageHeading(view, 'Not found');
  view.append(h('p', null, 'There is no such page. ', h('a', { href: route('overview') }, 'Go to the overview.')));
  return null;
}

function markNav(section) {
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.getAttribute('href') === `#/${section}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

function leavePage() {
  if (currentPage) currentPage.leave();
  currentPage = null;
}

async function showPage() {
  if (!session.key) return;
  const parts = currentParts();
  // A hash that is not a route (the skip link's #main) is in-page navigation, not a page change.
  if (parts === null) {
    if (!location.hash) location.replace('#/overview');
    return;
  }
  if (parts.length === 0) { location.replace('#/overview'); return; }
  leavePage();
  const ctx = new PageContext(parts);
  currentPage = ctx;
  markNav(parts[0]);
  const view = h('div', { class: 'page' });
  clear(pageEl).append(view);
  const section = TYPES[parts[0]]?.title || parts[0].charAt(0).toUpperCase() + parts[0].slice(1);
  document.title = `${section} · Tidegate`;
  try {
    await dispatch(view, ctx);
  } catch (error) {
    if (!ctx.alive || error.name === 'AbortError' || error.status === 401) return;
    view.append(errorBox(error, 'Could not load this page'));
  }
}

function updateBanner() {
  banner.hidden = state.writable !== false;
  if (!state.writable) {
    const reason = (state.readOnlyReason || 'the configuration cannot be changed from here').replace(/\.$/, '');
    banner.textContent = `Read-only: ${reason}.`;
  }
}

function showSignin(message, info) {
  leavePage();
  clear(pageEl);
  appView.hidden = true;
  signinView.hidden = false;
  signinError.textContent = message || '';
  signinInfo.textContent = info || '';
  signinKey.value = '';
  signinKey.focus();
  document.title = 'Sign in · Tidegate';
}

function enterApp(overview) {
  setWritable(Boolean(overview.source?.writable), readOnlyReason(overview.source));
  versionEl.textContent = overview.gateway_version ? `v${overview.gateway_version}` : '';
  signinView.hidden = true;
  appView.hidden = false;
  signinError.textContent = '';
  signinInfo.textContent = '';
  // Replacing the hash fires hashchange, which shows the page.
  if (!currentParts()?.length) location.replace('#/overview');
  else showPage();
}

signinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = signinKey.value;
  signinError.textContent = '';
  signinInfo.textContent = '';
  if (key === '') {
    signinError.textContent = 'Enter the admin key.';
    signinKey.focus();
    return;
  }
  signinSubmit.disabled = true;
  try {
    const overview = await api.get('/overview', { key });
    session.set(key);
    signinKey.value = '';
    enterApp(overview);
  } catch (error) {
    signinError.textContent = error.status === 401
      ? (error.body?.description === 'missing apikey' ? 'Enter the admin key.' : 'Wrong admin key.')
      : error.message;
    signinKey.select();
    signinKey.focus();
  } finally {
    signinSubmit.disabled = false;
  }
});

document.getElementById('signout').addEventListener('click', () => {
  session.clear();
  resetState();
  versionEl.textContent = '';
  showSignin('', 'Signed out. The key is forgotten.');
});

onUnauthorized(() => {
  session.clear();
  resetState();
  showSignin('The gateway refused the admin key (it may have changed). Sign in again.');
});

onStateChange(updateBanner);
window.addEventListener('hashchange', showPage);

async function boot() {
  if (!session.key) {
    showSignin();
    return;
  }
  try {
    enterApp(await api.get('/overview'));
  } catch (error) {
    if (error.status === 401) return; // the unauthorized handler showed the sign-in form
    showSignin(`The gateway did not answer: ${error.message}`);
  }
}

boot();
