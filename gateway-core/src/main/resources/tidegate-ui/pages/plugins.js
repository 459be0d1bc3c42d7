import { h, link, route, table, emptyRow, badge, pre, definitionList } from '../dom.js';
import { api } from '../api.js';
import { loadSchemas } from '../state.js';
import { pageHeading, loading, section, searchBox, filterRows } from './common.js';

// The plugins loaded from jars, with their schemas. Nothing here is editable: plugins are
// configured on routes, services, consumers, plugin configs and global rules.

async function pluginTable(ctx) {
  const [overview, schemas] = await Promise.all([
    api.get('/overview', { signal: ctx.signal }),
    loadSchemas(ctx.signal),
  ]);
  const byName = new Map();
  for (const [name, info] of Object.entries(schemas.plugins || {})) byName.set(name, { name, ...info });
  for (const p of overview.plugins || []) byName.set(p.name, { ...byName.get(p.name), ...p });
  // Highest priority first: the order plugins of one phase run in.
  return [...byName.values()].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.name.localeCompare(b.name));
}

export async function renderPlugins(view, ctx) {
  pageHeading(view, 'Plugins');
  const wait = view.appendChild(loading());
  const plugins = await pluginTable(ctx);
  wait.remove();
  if (!ctx.alive) return;
  const jars = new Set(plugins.map((p) => p.jar).filter(Boolean));
  const headers = ['Name', 'Version', 'Jar', 'Priority', 'Phases', 'Kind'];
  const rows = plugins.map((p) => h('tr', { dataset: { id: p.name, search: [p.name, p.jar, ...(p.phases || [])].join('\n') } },
    h('td', null, link(route('plugins', p.name), p.name)),
    h('td', null, p.version || '—'),
    h('td', null, p.jar ? h('code', null, p.jar) : '—'),
    h('td', { class: 'num' }, p.priority ?? '—'),
    h('td', null, (p.phases || []).map((phase) => h('span', { class: 'tag' }, phase))),
    h('td', null, p.auth ? badge('authentication', 'info') : '—')));
  const tableEl = table({ id: 'list' }, headers, rows.length ? rows : [emptyRow(headers.length, 'No plugin is loaded.')]);
  view.append(
    h('p', { class: 'muted' }, `${plugins.length} plugins from ${jars.size} jar${jars.size === 1 ? '' : 's'}, highest priority first.`),
    h('div', { class: 'toolbar' }, searchBox('Matches name, jar or phase', (q) => filterRows(tableEl.querySelector('tbody'), q, 'Nothing matches the search.', headers.length))),
    tableEl);
}

function propertyRows(schema) {
  const required = new Set(schema?.required || []);
  return Object.entries(schema?.properties || {}).map(([name, prop]) => h('tr', null,
    h('th', { scope: 'row' }, h('code', null, name)),
    h('td', null, Array.isArray(prop.type) ? prop.type.join(' | ') : (prop.type || (prop.enum ? 'enum' : prop.oneOf || prop.anyOf ? 'one of' : '—'))),
    h('td', null, required.has(name) ? 'yes' : ''),
    h('td', null, prop.default === undefined ? '' : h('code', null, JSON.stringify(prop.default))),
    h('td', null, [prop.enum ? `one of ${prop.enum.map((e) => JSON.stringify(e)).join(', ')}` : null, prop.description].filter(Boolean).join('. '))));
}

function schemaSection(title, schema) {
  if (!schema) return null;
  const rows = propertyRows(schema);
  return section(title,
    rows.length ? table({ class: 'schema-table' }, ['Field', 'Type', 'Required', 'Default', 'Notes'], rows) : h('p', { class: 'muted' }, 'No fields.'),
    h('details', { class: 'schema-json' }, h('summary', null, 'Schema as JSON'), pre(schema)));
}

export async function renderPlugin(view, ctx, name) {
  pageHeading(view, `Plugin ${name}`);
  view.append(h('p', { class: 'back' }, link(route('plugins'), '← All plugins')));
  const wait = view.appendChild(loading());
  const plugins = await pluginTable(ctx);
  wait.remove();
  if (!ctx.alive) return;
  const plugin = plugins.find((p) => p.name === name);
  if (!plugin) {
    view.append(h('p', { class: 'notice notice-bad', role: 'alert' }, `No plugin named ${name} is loaded.`));
    return;
  }
  view.append(
    section('Summary', definitionList([
      ['Version', plugin.version], ['Jar', plugin.jar], ['Priority', plugin.priority],
      ['Phases', (plugin.phases || []).join(', ') || '—'], ['Authentication', plugin.auth ? 'yes' : 'no'],
    ])),
    schemaSection('Configuration schema', plugin.schema),
    schemaSection('Consumer schema (credentials)', plugin.consumer_schema));
}
