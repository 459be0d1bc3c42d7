import { h, link, route, table, emptyRow, badge, formatTime, definitionList, pre, clear } from '../dom.js';
import { api, enc } from '../api.js';
import { state, setWritable } from '../state.js';
import { diffValues, renderDiff, hasChanges } from '../diff.js';
import { pageHeading, loading, section, errorBox } from './common.js';

// The configurations this gateway served (kept in memory by this node), and restoring one.
// Restoring asks first: it replaces the whole configuration in force.

function changeList(changes) {
  const parts = [];
  for (const [kind, mark, cls] of [['added', '+', 'add'], ['changed', '~', 'chg'], ['removed', '−', 'del']]) {
    for (const item of changes?.[kind] || []) parts.push(h('span', { class: `change change-${cls}`, title: kind }, `${mark} ${item}`));
  }
  return parts.length ? h('span', { class: 'changes' }, parts) : '—';
}

// Secrets are masked on both sides of a comparison, so the server says which resources a restore
// would give earlier secrets (a rotated-out credential, an old private key): asked before confirming.
function secretsWarning(changed) {
  return changed?.length
    ? h('p', { id: 'restore-secrets', class: 'notice notice-bad' },
      'It also brings back earlier secrets (credentials, keys) of: ', changed.join(', '),
      '. A credential rotated out since would work again.')
    : null;
}

async function restoreFlow(seq, label, onDone) {
  const result = document.getElementById('restore-result');
  const holder = document.getElementById('restore-confirm');
  clear(holder);
  clear(result);
  let changed = [];
  try {
    changed = (await api.get(`/history/${enc(seq)}`)).secrets_changed || [];
  } catch (error) {
    if (error.status === 401) return;
  }
  const confirmButton = h('button', { id: 'confirm-restore', type: 'button' }, `Restore ${label}`);
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  holder.append(h('div', { class: 'confirm', role: 'group', 'aria-label': 'Confirm restore' },
    h('p', null, `Restore ${label}? It replaces the configuration in force now, on this gateway, at once.`),
    secretsWarning(changed), confirmButton, ' ', cancel));
  confirmButton.focus();
  cancel.addEventListener('click', () => clear(holder));
  confirmButton.addEventListener('click', async () => {
    confirmButton.disabled = true;
    try {
      const answer = await api.post(`/history/${enc(seq)}/restore`);
      clear(holder);
      result.append(h('p', { class: 'notice notice-ok' }, `Restored ${label}; configuration version ${answer?.config_version ?? '?'} is in force.`));
      await onDone?.();
    } catch (error) {
      if (error.status === 401) return;
      clear(holder);
      const errors = error.fieldErrors;
      result.append(errorBox(error, `Not restored`),
        errors.length ? h('ul', null, errors.map((e) => h('li', null, e.field ? h('code', null, e.field) : null, e.field ? ': ' : null, e.message))) : null);
    }
    result.setAttribute('tabindex', '-1');
    result.focus();
  });
}

export async function renderHistory(view, ctx) {
  pageHeading(view, 'History');
  view.append(h('p', { class: 'muted' }, 'The configurations this gateway has served, newest first (kept in memory by this node, the last 50).'),
    h('div', { id: 'restore-confirm' }), h('div', { id: 'restore-result', role: 'status' }));
  const holder = h('div');
  view.append(holder);
  const load = async () => {
    const wait = loading();
    if (!holder.firstChild) holder.append(wait);
    const answer = await api.get('/history', { signal: ctx.signal });
    if (!ctx.alive) return;
    if (typeof answer.writable === 'boolean') setWritable(answer.writable, state.readOnlyReason);
    const entries = answer.entries || [];
    const rows = entries.map((e) => h('tr', { dataset: { seq: String(e.seq) }, class: e.current ? 'current' : null },
      h('td', { class: 'num' }, link(route('history', e.seq), `#${e.seq}`)),
      h('td', null, formatTime(e.time)),
      h('td', { class: 'num' }, e.config_version ?? '—'),
      h('td', null, e.cause),
      h('td', null, changeList(e.changes)),
      h('td', null, e.current ? badge('in force', 'ok')
        : state.writable ? h('button', {
          type: 'button', class: 'restore small', 'aria-label': `Restore #${e.seq}`,
          onclick: () => restoreFlow(e.seq, `#${e.seq} (version ${e.config_version})`, load),
        }, 'Restore') : '')));
    clear(holder).append(table({ id: 'history' }, ['#', 'Time', 'Config version', 'Cause', 'Changes', ''],
      rows.length ? rows : [emptyRow(6, 'Nothing yet.')]));
  };
  await load();
}

export async function renderHistoryEntry(view, ctx, seq) {
  pageHeading(view, `Configuration #${seq}`);
  view.append(h('p', { class: 'back' }, link(route('history'), '← History')),
    h('div', { id: 'restore-confirm' }), h('div', { id: 'restore-result', role: 'status' }));
  const wait = view.appendChild(loading());
  const [entry, config] = await Promise.all([
    api.get(`/history/${enc(seq)}`, { signal: ctx.signal }),
    api.get('/config', { signal: ctx.signal }),
  ]);
  wait.remove();
  if (!ctx.alive) return;
  const lines = diffValues(config.document, entry.document);
  view.append(
    section('Summary', definitionList([
      ['Time', formatTime(entry.time)], ['Config version', entry.config_version], ['Cause', entry.cause],
      ['Changes then', changeList(entry.changes)], ['In force', entry.current ? 'yes' : 'no'],
    ])),
    state.writable && !entry.current ? h('p', null, h('button', {
      type: 'button', class: 'restore', onclick: () => restoreFlow(seq, `#${seq} (version ${entry.config_version})`, null),
    }, `Restore #${seq}`)) : null,
    section('Compared with the configuration in force', [
      secretsWarning(entry.secrets_changed),
      hasChanges(lines)
        ? [h('p', { class: 'muted' }, 'Lines marked − are in force now; lines marked + are in this entry.'), renderDiff(lines, { id: 'history-diff' })]
        : h('p', { class: 'muted' }, entry.secrets_changed?.length ? 'Apart from those secrets, the same as the configuration in force.'
          : 'The same as the configuration in force.')]),
    h('details', { class: 'schema-json' }, h('summary', null, 'The whole configuration as JSON'), pre(entry.document)));
}
