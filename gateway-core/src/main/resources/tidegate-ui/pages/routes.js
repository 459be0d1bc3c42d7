import { h, link, route } from '../dom.js';
import { api, enc } from '../api.js';
import { TYPES } from '../resources.js';
import { renderList, renderDetail } from './resources.js';
import { section, errorBox } from './common.js';

export function renderRoutes(view, ctx) {
  return renderList(view, ctx, TYPES.routes);
}

export function renderRoute(view, ctx, id) {
  return renderDetail(view, ctx, TYPES.routes, id, {
    sections: async (v) => v.append(await chainSection(ctx, id)),
  });
}

function originLink(origin) {
  // "global_rule 1", "service s1", "plugin_config p1": link to where the plugin is configured.
  const match = /^(global_rule|service|plugin_config)s?\s+(.+)$/.exec(origin || '');
  if (!match) return origin || '—';
  const slug = { global_rule: 'global-rules', service: 'services', plugin_config: 'plugin-configs' }[match[1]];
  return link(route(slug, match[2]), origin);
}

// The plugins that run for this route, in the order they run: global rules first, then the
// route's own chain merged from its service and plugin config.
async function chainSection(ctx, id) {
  let chain;
  try {
    chain = await api.get(`/routes/${enc(id)}/chain`, { signal: ctx.signal });
  } catch (error) {
    if (error.status === 404) {
      return section('Effective plugin chain', h('p', { class: 'notice notice-warn' },
        'This route is not serving, so it has no plugin chain (it may be disabled, or refused by the gateway).'));
    }
    if (error.name === 'AbortError') throw error;
    return section('Effective plugin chain', errorBox(error));
  }
  const notes = [];
  if (chain.unservable) notes.push(h('p', { class: 'notice notice-bad' }, 'The gateway cannot serve this route as configured.'));
  if (chain.missing_plugins?.length) {
    notes.push(h('p', { class: 'notice notice-bad' }, `Plugins not loaded: ${chain.missing_plugins.join(', ')}.`));
  }
  const plugins = [...(chain.plugins || [])].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const list = h('ol', { id: 'chain', class: 'chain' }, plugins.map((p) => h('li', { dataset: { plugin: p.name } },
    h('span', { class: 'chain-name' }, link(route('plugins', p.name), p.name)),
    h('span', { class: 'chain-origin' }, 'from ', originLink(p.origin)),
    h('span', { class: 'chain-phases' }, (p.phases || []).map((phase) => h('span', { class: 'tag' }, phase))),
    h('span', { class: 'chain-priority muted' }, `priority ${p.priority ?? '—'}`))));
  // The gateway names an inline upstream after its owner ("route 2", "service s1") and a
  // missing one "missing: u9"; anything else is the id of an upstream resource.
  const named = typeof chain.upstream === 'string' ? chain.upstream : null;
  let upstream;
  if (!named) upstream = 'none';
  else if (named === 'inline' || named.startsWith('route ')) upstream = 'its own (inline)';
  else if (named.startsWith('missing')) upstream = h('strong', { class: 'error-text' }, named);
  else if (named.startsWith('service ')) upstream = ['inline in ', link(route('services', named.slice(8)), named)];
  else upstream = link(route('upstreams', named), `upstream ${named}`);
  return section('Effective plugin chain', ...notes,
    h('p', { class: 'muted' }, 'In execution order. Upstream: ', upstream, '.'),
    plugins.length ? list : [h('p', { class: 'muted' }, 'No plugin runs for this route.'), list]);
}
