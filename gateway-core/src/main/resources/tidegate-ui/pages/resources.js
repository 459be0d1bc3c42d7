import { h, link, route, table, emptyRow, pre, definitionList, summaryList, badge } from '../dom.js';
import { api, enc } from '../api.js';
import { state, noteConfig, setFlash } from '../state.js';
import { TYPES, keyOf, findItem, nodeList } from '../resources.js';
import { pageHeading, errorBox, loading, section, searchBox, filterRows } from './common.js';

// The list and detail pages every resource type shares. Type-specific parts (a route's plugin
// chain, an upstream's live health, a certificate's dates) are passed in as extras.

export async function loadConfig(ctx) {
  const config = await api.get('/config', { signal: ctx.signal });
  noteConfig(config);
  return config;
}

function newButton(type) {
  if (!state.writable) return null;
  return h('button', { id: 'new-resource', type: 'button', onclick: () => { location.hash = route(type.slug, 'new'); } }, `New ${type.singular}`);
}

// extras: { columns?, rows? (items → [item, searchText]), after?(view, ctx, items) }
export async function renderList(view, ctx, type, extras = {}) {
  const head = h('span', { class: 'page-actions' });
  pageHeading(view, type.title, head);
  const wait = view.appendChild(loading());
  const config = await loadConfig(ctx);
  wait.remove();
  if (!ctx.alive) return;
  const items = config.document?.[type.api] || [];
  const button = newButton(type);
  if (button) head.append(button);
  const items2 = extras.items ? await extras.items(items, ctx) : items;
  if (!ctx.alive) return;
  const columns = extras.columns || type.columns;
  const rows = items2.map((item) => h('tr', { dataset: { id: String(keyOf(type, item)), search: type.searchText(item) } },
    columns.map(([, cell]) => h('td', null, cell(item, type)))));
  const tableEl = table({ id: 'list', class: 'list' }, columns.map(([name]) => name),
    rows.length ? rows : [emptyRow(columns.length, `No ${type.title.toLowerCase()} yet.`)]);
  const tbody = tableEl.querySelector('tbody');
  const count = h('p', { class: 'muted count', 'aria-live': 'polite' }, countText(items2.length, items2.length, type));
  view.append(
    h('div', { class: 'toolbar' }, searchBox(type.searchHint, (query) => {
      const shown = filterRows(tbody, query, 'Nothing matches the search.', columns.length);
      count.textContent = countText(shown, items2.length, type);
    })),
    count,
    tableEl);
  if (extras.after) await extras.after(view, ctx, items);
}

function countText(shown, total, type) {
  const noun = total === 1 ? type.singular : type.title.toLowerCase();
  return shown === total ? `${total} ${noun}` : `${shown} of ${total} ${noun} shown`;
}

export function factsFor(type, item) {
  const list = (v) => (Array.isArray(v) ? summaryList(v, 8) : v);
  const plugins = Object.keys(item.plugins || {});
  const common = [['Plugins', plugins.length ? plugins.join(', ') : '—']];
  switch (type.slug) {
    case 'routes': return [
      ['Name', item.name], ['URI', list(item.uris) ?? item.uri], ['Host', list(item.hosts) ?? item.host],
      ['Methods', item.methods ? item.methods.join(' ') : 'any'], ['Priority', item.priority ?? 0],
      ['Upstream', item.upstream_id !== undefined ? link(route('upstreams', item.upstream_id), `upstream ${item.upstream_id}`)
        : item.upstream ? `inline: ${summaryList(nodeList(item.upstream.nodes).map((n) => `${n.address} (weight ${n.weight ?? '—'})`), 8)}` : '—'],
      ['Service', item.service_id !== undefined ? link(route('services', item.service_id), String(item.service_id)) : '—'],
      ['Plugin config', item.plugin_config_id !== undefined ? link(route('plugin-configs', item.plugin_config_id), String(item.plugin_config_id)) : '—'],
      ['Status', item.status === 0 ? badge('disabled', 'muted') : badge('enabled', 'ok')],
      ...common];
    case 'upstreams': return [
      ['Name', item.name], ['Type', item.type || 'roundrobin'], ['Scheme', item.scheme || 'http'],
      ['Pass host', item.pass_host || 'pass'], ['Retries', item.retries], ['Health checks', item.checks ? 'yes' : 'none']];
    case 'services': return [
      ['Name', item.name], ['Hosts', list(item.hosts)],
      ['Upstream', item.upstream_id !== undefined ? link(route('upstreams', item.upstream_id), `upstream ${item.upstream_id}`) : item.upstream ? 'inline' : '—'],
      ...common];
    case 'consumers': return [['Description', item.desc], ['Group', item.group_id], ...common];
    case 'plugin-configs': return [['Description', item.desc], ...common];
    case 'global-rules': return common;
    case 'ssls': return [['SNIs', list(item.snis) ?? item.sni], ['Type', item.type || 'server'], ['Status', item.status === 0 ? 'disabled' : 'enabled']];
    default: return common;
  }
}

// extras: { sections?(view, ctx, item, config) } — placed between the facts and the raw JSON.
export async function renderDetail(view, ctx, type, id, extras = {}) {
  const actions = h('span', { class: 'page-actions' });
  pageHeading(view, `${capitalize(type.singular)} ${id}`, actions);
  view.append(h('p', { class: 'back' }, link(route(type.slug), `← All ${type.title.toLowerCase()}`)));
  const wait = view.appendChild(loading());
  const config = await loadConfig(ctx);
  wait.remove();
  if (!ctx.alive) return;
  const item = findItem(config.document, type, id);
  if (!item) {
    view.append(h('p', { class: 'notice notice-bad', role: 'alert' }, `There is no ${type.singular} ${id} in the configuration in force.`));
    return;
  }
  if (state.writable) {
    const { buttons, panel } = editControls(type, id);
    actions.append(...buttons);
    view.append(panel);
  }
  view.append(section('Summary', definitionList(factsFor(type, item))));
  if (extras.sections) await extras.sections(view, ctx, item, config);
  if (!ctx.alive) return;
  const masked = type.slug === 'consumers' ? h('p', { class: 'hint' }, 'Credentials are masked (******); the gateway never sends them.') : null;
  const keyNote = type.slug === 'ssls' ? h('p', { class: 'hint' }, 'The private key is never sent to the dashboard.') : null;
  view.append(section('Configuration', masked, keyNote, pre(item)));
}

// Delete asks first: the change is live on the gateway at once.
function editControls(type, id) {
  const result = h('div', { id: 'delete-result', role: 'status' });
  const confirm = h('div', { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm delete' });
  const deleteButton = h('button', { id: 'delete', type: 'button', class: 'danger' }, 'Delete');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const confirmButton = h('button', { id: 'confirm-delete', type: 'button', class: 'danger' }, `Delete ${type.singular} ${id}`);
  confirm.append(h('p', null, `Delete ${type.singular} ${id}? The gateway stops using it at once.`), confirmButton, ' ', cancel);
  deleteButton.addEventListener('click', () => { confirm.hidden = false; result.textContent = ''; confirmButton.focus(); });
  cancel.addEventListener('click', () => { confirm.hidden = true; deleteButton.focus(); });
  confirmButton.addEventListener('click', async () => {
    confirmButton.disabled = true;
    try {
      await api.del(`/resources/${type.api}/${enc(id)}`);
      setFlash(`Deleted ${type.singular} ${id}.`);
      location.hash = route(type.slug);
    } catch (error) {
      confirm.hidden = true;
      result.replaceChildren(errorBox(error, 'Not deleted'));
      deleteButton.focus();
    } finally {
      confirmButton.disabled = false;
    }
  });
  return {
    buttons: [
      h('button', { id: 'edit', type: 'button', onclick: () => { location.hash = route(type.slug, id, 'edit'); } }, 'Edit'),
      deleteButton,
    ],
    panel: h('div', null, confirm, result),
  };
}

export function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export { TYPES };
