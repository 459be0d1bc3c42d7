import { h, link, route, summaryList, badge } from './dom.js';

// What differs between the resource types: the hash slug, the API's type name, the key field
// (consumers are keyed by username, the others by id), the list's columns and what the search
// box looks at. Everything else (list, detail, editor) is shared.

export function nodeList(nodes) {
  if (!nodes) return [];
  if (Array.isArray(nodes)) {
    return nodes.map((n) => ({ address: n.port ? `${n.host}:${n.port}` : String(n.host), weight: n.weight, priority: n.priority }));
  }
  return Object.entries(nodes).map(([address, weight]) => ({ address, weight }));
}

function pluginNames(item) {
  return Object.keys(item.plugins || {});
}

function upstreamText(item) {
  if (item.upstream_id !== undefined && item.upstream_id !== null) return `upstream ${item.upstream_id}`;
  if (item.upstream) {
    const nodes = nodeList(item.upstream.nodes).map((n) => n.address);
    if (item.upstream.service_name) return `discovery ${item.upstream.service_name}`;
    return `inline: ${summaryList(nodes, 3)}`;
  }
  if (item.service_id !== undefined && item.service_id !== null) return `via service ${item.service_id}`;
  return '—';
}

function upstreamCell(item) {
  if (item.upstream_id !== undefined && item.upstream_id !== null) {
    return link(route('upstreams', item.upstream_id), `upstream ${item.upstream_id}`);
  }
  if (!item.upstream && item.service_id !== undefined && item.service_id !== null) {
    return link(route('services', item.service_id), `via service ${item.service_id}`);
  }
  return upstreamText(item);
}

function uris(item) {
  return item.uris || (item.uri !== undefined ? [item.uri] : []);
}

function hosts(item) {
  return item.hosts || (item.host !== undefined ? [item.host] : []);
}

function pluginsCell(item) {
  const names = pluginNames(item);
  return names.length ? h('span', { class: 'plugin-names' }, names.map((n) => h('code', null, n))) : '—';
}

function statusCell(item) {
  return item.status === 0 ? badge('disabled', 'muted') : badge('enabled', 'ok');
}

export const TYPES = {
  routes: {
    slug: 'routes', api: 'routes', key: 'id', title: 'Routes', singular: 'route',
    columns: [
      ['ID', (r, self) => link(route(self.slug, r.id), String(r.id))],
      ['Name', (r) => r.name || '—'],
      ['URI', (r) => summaryList(uris(r), 3)],
      ['Host', (r) => summaryList(hosts(r), 2)],
      ['Methods', (r) => (r.methods ? r.methods.join(' ') : 'any')],
      ['Upstream', upstreamCell],
      ['Plugins', pluginsCell],
      ['Status', statusCell],
    ],
    // The search box covers uri, host, plugin and upstream at once, plus id and name.
    searchText: (r) => [r.id, r.name, ...uris(r), ...hosts(r), ...pluginNames(r), upstreamText(r),
      r.upstream_id, r.service_id].filter((v) => v !== undefined && v !== null).join('\n'),
    searchHint: 'Matches URI, host, plugin, upstream, id or name',
  },
  upstreams: {
    slug: 'upstreams', api: 'upstreams', key: 'id', title: 'Upstreams', singular: 'upstream',
    columns: [
      ['ID', (u, self) => link(route(self.slug, u.id), String(u.id))],
      ['Name', (u) => u.name || '—'],
      ['Type', (u) => u.type || 'roundrobin'],
      ['Nodes', (u) => summaryList(nodeList(u.nodes).map((n) => `${n.address} (${n.weight ?? '—'})`), 3)],
      ['Scheme', (u) => u.scheme || 'http'],
      ['Health checks', (u) => (u.checks ? [u.checks.active ? 'active' : null, u.checks.passive ? 'passive' : null].filter(Boolean).join(' + ') || 'yes' : 'none')],
    ],
    searchText: (u) => [u.id, u.name, u.type, ...nodeList(u.nodes).map((n) => n.address), u.service_name].filter(Boolean).join('\n'),
    searchHint: 'Matches id, name, type or node address',
  },
  services: {
    slug: 'services', api: 'services', key: 'id', title: 'Services', singular: 'service',
    columns: [
      ['ID', (s, self) => link(route(self.slug, s.id), String(s.id))],
      ['Name', (s) => s.name || '—'],
      ['Hosts', (s) => summaryList(s.hosts || [], 3)],
      ['Upstream', upstreamCell],
      ['Plugins', pluginsCell],
    ],
    searchText: (s) => [s.id, s.name, ...(s.hosts || []), ...pluginNames(s), upstreamText(s)].filter(Boolean).join('\n'),
    searchHint: 'Matches id, name, host, plugin or upstream',
  },
  consumers: {
    slug: 'consumers', api: 'consumers', key: 'username', title: 'Consumers', singular: 'consumer',
    columns: [
      ['Username', (c, self) => link(route(self.slug, c.username), String(c.username))],
      ['Description', (c) => c.desc || '—'],
      ['Group', (c) => c.group_id ?? '—'],
      ['Credentials and plugins', pluginsCell],
    ],
    searchText: (c) => [c.username, c.desc, c.group_id, ...pluginNames(c)].filter(Boolean).join('\n'),
    searchHint: 'Matches username, description, group or plugin',
  },
  'plugin-configs': {
    slug: 'plugin-configs', api: 'plugin_configs', key: 'id', title: 'Plugin configs', singular: 'plugin config',
    columns: [
      ['ID', (p, self) => link(route(self.slug, p.id), String(p.id))],
      ['Description', (p) => p.desc || '—'],
      ['Plugins', pluginsCell],
    ],
    searchText: (p) => [p.id, p.desc, ...pluginNames(p)].filter(Boolean).join('\n'),
    searchHint: 'Matches id, description or plugin',
  },
  'global-rules': {
    slug: 'global-rules', api: 'global_rules', key: 'id', title: 'Global rules', singular: 'global rule',
    columns: [
      ['ID', (g, self) => link(route(self.slug, g.id), String(g.id))],
      ['Plugins', pluginsCell],
    ],
    searchText: (g) => [g.id, ...pluginNames(g)].filter(Boolean).join('\n'),
    searchHint: 'Matches id or plugin',
  },
  ssls: {
    slug: 'ssls', api: 'ssls', key: 'id', title: 'SSL certificates', singular: 'certificate',
    columns: [], // the SSL page has its own table (certificate facts come from /ui/api/ssls)
    searchText: (s) => [s.id, ...(s.snis || []), s.sni, s.subject, ...(s.sans || [])].filter(Boolean).join('\n'),
    searchHint: 'Matches id, SNI, subject or SAN',
  },
};

export function keyOf(type, item) {
  return item?.[type.key];
}

export function findItem(document, type, id) {
  return (document?.[type.api] || []).find((item) => String(keyOf(type, item)) === String(id));
}

// New ids are short, sortable by creation time and unlikely to collide between two people
// creating resources at once; they fit APISIX's id pattern [a-zA-Z0-9-_.]{1,64}.
export function generateId() {
  const random = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${Date.now().toString(36)}-${random}`;
}
