import { h, link, route, table, emptyRow, badge, definitionList, formatDuration, formatTime } from '../dom.js';
import { api } from '../api.js';
import { setWritable } from '../state.js';
import { timeChart } from '../charts.js';
import { pageHeading, loading, section, errorBox } from './common.js';

const REFRESH_MS = 5000;

const COUNT_LINKS = [
  ['routes', 'Routes', 'routes'], ['upstreams', 'Upstreams', 'upstreams'], ['services', 'Services', 'services'],
  ['consumers', 'Consumers', 'consumers'], ['ssls', 'SSL certificates', 'ssls'],
  ['global_rules', 'Global rules', 'global-rules'], ['plugin_configs', 'Plugin configs', 'plugin-configs'],
];

export function readOnlyReason(source) {
  return source?.writable ? null : (source?.read_only_reason || source?.detail || 'the configuration source is read-only');
}

export async function renderOverview(view, ctx) {
  pageHeading(view, 'Overview');
  const wait = view.appendChild(loading());
  let overview = await api.get('/overview', { signal: ctx.signal });
  wait.remove();
  if (!ctx.alive) return;

  const configVersion = h('span');
  const sourceMode = h('span', { id: 'source-mode' });
  const sourceDetail = h('span', { id: 'source-detail', class: 'muted' });
  const uptime = h('span');
  const counts = h('ul', { class: 'counts' });
  const pluginsHolder = h('div');
  const trafficNote = h('p', { class: 'muted', 'aria-live': 'polite' });
  const chartBoxes = {
    rps: h('div', { id: 'chart-rps', class: 'chart', role: 'img', 'aria-label': 'Requests per second, last 10 minutes' }),
    errors: h('div', { id: 'chart-errors', class: 'chart', role: 'img', 'aria-label': 'Error rate, last 10 minutes' }),
    latency: h('div', { id: 'chart-latency', class: 'chart', role: 'img', 'aria-label': 'p50 and p99 latency, last 10 minutes' }),
  };
  view.append(
    section('Gateway', definitionList([
      ['Gateway version', overview.gateway_version],
      ['Configuration version', configVersion, 'config-version'],
      ['Configuration source', [sourceMode, ' ', sourceDetail]],
      ['Started', formatTime(overview.started_at)],
      ['Uptime', uptime, 'uptime'],
    ])),
    section('Configuration', counts),
    section('Traffic, last 10 minutes', trafficNote, h('div', { class: 'charts' },
      h('figure', null, h('figcaption', null, 'Requests per second'), chartBoxes.rps),
      h('figure', null, h('figcaption', null, 'Error rate (5xx and gateway errors)'), chartBoxes.errors),
      h('figure', null, h('figcaption', null, 'Latency p50 / p99'), chartBoxes.latency))),
    section('Plugins loaded', pluginsHolder));

  const charts = [
    timeChart(chartBoxes.rps, { series: [{ label: 'req/s', stroke: '#2563eb', value: (p) => p.rps }], unit: '', fixed: 1 }),
    timeChart(chartBoxes.errors, { series: [{ label: 'errors', stroke: '#dc2626', value: (p) => (p.error_rate === null || p.error_rate === undefined ? null : p.error_rate * 100) }], unit: '%', fixed: 2 }),
    timeChart(chartBoxes.latency, {
      series: [
        { label: 'p50', stroke: '#059669', value: (p) => p.p50_ms },
        { label: 'p99', stroke: '#d97706', value: (p) => p.p99_ms },
      ],
      unit: ' ms', fixed: 1,
    }),
  ];
  ctx.onLeave(() => charts.forEach((c) => c.destroy()));

  let fetchedAt = Date.now();
  const showOverview = () => {
    configVersion.textContent = String(overview.config_version ?? '—');
    sourceMode.textContent = overview.source?.mode ?? '—';
    sourceDetail.textContent = overview.source?.detail ? `(${overview.source.detail})` : '';
    setWritable(Boolean(overview.source?.writable), readOnlyReason(overview.source));
    counts.replaceChildren(...COUNT_LINKS.map(([key, label, slug]) => h('li', null,
      link(route(slug), [h('span', { class: 'count-number' }, String(overview.counts?.[key] ?? 0)), h('span', { class: 'count-label' }, label)]))));
    const key = JSON.stringify(overview.plugins || []);
    if (key !== pluginsKey) {
      pluginsKey = key;
      pluginsHolder.replaceChildren(...pluginsTable(overview.plugins || []));
    }
  };
  let pluginsKey = null;
  showOverview();

  // Uptime counts on between refreshes so it does not jump in 5 s steps.
  ctx.every(1000, () => {
    uptime.textContent = formatDuration((overview.uptime_seconds ?? 0) + (Date.now() - fetchedAt) / 1000);
  });
  let first = true;
  await ctx.every(REFRESH_MS, async () => {
    if (!first) {
      const next = await api.get('/overview', { signal: ctx.signal });
      fetchedAt = Date.now();
      overview = next;
      showOverview();
    }
    first = false;
    try {
      const traffic = await api.get('/traffic', { signal: ctx.signal });
      const points = traffic.points || [];
      charts.forEach((c) => c.update(points));
      const total = points.reduce((sum, p) => sum + (p.requests || 0), 0);
      trafficNote.textContent = `${total} requests in ${points.length} samples of ${traffic.interval_seconds ?? 5} s; refreshed every ${REFRESH_MS / 1000} s.`;
    } catch (error) {
      if (error.name === 'AbortError' || error.status === 401) throw error;
      trafficNote.replaceChildren(errorBox(error, 'Traffic unavailable'));
    }
  });
}

function pluginsTable(plugins) {
  const jars = new Set(plugins.map((p) => p.jar).filter(Boolean));
  const rows = plugins.map((p) => h('tr', null,
    h('td', null, link(route('plugins', p.name), p.name)), h('td', null, p.version || '—'),
    h('td', null, p.jar ? h('code', null, p.jar) : '—'), h('td', { class: 'num' }, p.priority ?? '—'),
    h('td', null, (p.phases || []).join(', ')), h('td', null, p.auth ? badge('authentication', 'info') : '')));
  return [
    h('p', { class: 'muted' }, `${plugins.length} plugin${plugins.length === 1 ? '' : 's'} from ${jars.size} jar${jars.size === 1 ? '' : 's'}.`),
    table({ class: 'plugins-table' }, ['Name', 'Version', 'Jar', 'Priority', 'Phases', ''],
      rows.length ? rows : [emptyRow(6, 'No plugin jar is loaded.')]),
  ];
}
