import { h, link, route, table, emptyRow, badge, formatTime, clear } from '../dom.js';
import { api } from '../api.js';
import { TYPES, nodeList } from '../resources.js';
import { renderList, renderDetail } from './resources.js';
import { section, errorBox } from './common.js';

const HEALTH_REFRESH_MS = 2000;

export function renderUpstreams(view, ctx) {
  return renderList(view, ctx, TYPES.upstreams, {
    after: (v) => startHealth(v, ctx, null),
  });
}

export function renderUpstream(view, ctx, id) {
  return renderDetail(view, ctx, TYPES.upstreams, id, {
    sections: (v, c, item) => {
      v.append(section('Nodes', table({ class: 'nodes' }, ['Address', 'Weight', 'Priority'],
        nodeList(item.nodes).map((n) => h('tr', null, h('td', null, n.address), h('td', null, n.weight ?? '—'), h('td', null, n.priority ?? 0))))));
      return startHealth(v, ctx, String(id));
    },
  });
}

function healthBadge(status) {
  return badge(status, status === 'healthy' ? 'ok' : status === 'unhealthy' ? 'bad' : 'muted');
}

function counterCells(node) {
  const c = node.counter || {};
  return [c.success, c.http_failure, c.tcp_failure, c.timeout_failure].map((v) => v ?? '—');
}

function nodeRow(node) {
  return h('tr', { dataset: { node: node.address } },
    h('th', { scope: 'row' }, node.address),
    h('td', { class: 'health' }, healthBadge(node.status)),
    counterCells(node).map((v) => h('td', { class: 'num' }, String(v))));
}

// Updates the rows in place when the same nodes come back, so the table does not flicker and
// someone reading (or a test holding) a row does not lose it every 2 s.
function updateGroup(group, upstream) {
  const rows = group.querySelectorAll('tr[data-node]');
  const same = rows.length === upstream.nodes.length && upstream.nodes.every((n, i) => rows[i].dataset.node === n.address);
  if (!same) return false;
  upstream.nodes.forEach((node, i) => {
    const cells = rows[i].querySelectorAll('td');
    if (cells[0].textContent !== node.status) cells[0].replaceChildren(healthBadge(node.status));
    counterCells(node).forEach((v, k) => { if (cells[k + 1].textContent !== String(v)) cells[k + 1].textContent = String(v); });
  });
  return true;
}

function groupFor(upstream) {
  const title = upstream.name;
  return h('div', { class: 'health-group', dataset: { upstream: upstream.name } },
    h('h3', null, /^[^ ]+$/.test(title) ? link(route('upstreams', title), `upstream ${title}`) : title,
      upstream.type ? h('span', { class: 'muted' }, ` · ${upstream.type} checks`) : null),
    table({ class: 'health-table' }, ['Node', 'Status', 'Successes', 'HTTP failures', 'TCP failures', 'Timeouts'],
      upstream.nodes.length ? upstream.nodes.map(nodeRow) : [emptyRow(6, 'No nodes.')]));
}

function eventRows(events) {
  return events.length
    ? events.slice(0, 30).map((e) => h('tr', null,
      h('td', null, formatTime(e.time)), h('td', null, e.upstream), h('td', null, e.node),
      h('td', null, healthBadge(e.status)), h('td', null, e.reason || '—')))
    : [emptyRow(5, 'No state changes yet.')];
}

// Live health of checked upstreams (all of them, or only `only`), polled every 2 s while the
// page is shown; the page context stops the polling when the user leaves.
async function startHealth(view, ctx, only) {
  const groups = h('div', { id: 'health' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const eventsTable = table({ id: 'health-events' }, ['Time', 'Upstream', 'Node', 'Status', 'Reason'], []);
  const eventsBody = eventsTable.querySelector('tbody');
  view.append(section('Health', status, groups), section('Recent state changes', eventsTable));
  let lastEvents = null;
  let failed = false;
  await ctx.every(HEALTH_REFRESH_MS, async () => {
    let answer;
    try {
      answer = await api.get('/upstreams/health', { signal: ctx.signal });
    } catch (error) {
      if (error.name === 'AbortError' || error.status === 401) throw error;
      if (!failed) groups.prepend(errorBox(error, 'Health unavailable'));
      failed = true;
      return;
    }
    if (failed) { groups.querySelector('.notice')?.remove(); failed = false; }
    const upstreams = (answer.upstreams || []).filter((u) => only === null || u.name === only);
    const events = (answer.events || []).filter((e) => only === null || e.upstream === only);
    status.textContent = upstreams.length
      ? `Refreshed every ${HEALTH_REFRESH_MS / 1000} s; last at ${new Date().toLocaleTimeString()}. Counters are checks in a row towards the next change of state.`
      : (only === null ? 'No upstream has health checks.' : 'This upstream has no health checks.');
    const existing = new Map([...groups.querySelectorAll('.health-group')].map((g) => [g.dataset.upstream, g]));
    const wanted = upstreams.map((u) => u.name);
    const sameGroups = existing.size === wanted.length && wanted.every((n) => existing.has(n));
    if (!sameGroups || !upstreams.every((u) => updateGroup(existing.get(u.name), u))) {
      clear(groups).append(...upstreams.map(groupFor));
    }
    const eventsKey = JSON.stringify(events.slice(0, 30));
    if (eventsKey !== lastEvents) {
      lastEvents = eventsKey;
      eventsBody.replaceChildren(...eventRows(events));
    }
  });
}
