import { h, link, route, badge, summaryList, formatTime, definitionList } from '../dom.js';
import { api } from '../api.js';
import { TYPES } from '../resources.js';
import { renderList, renderDetail } from './resources.js';
import { section } from './common.js';

// Certificates: the configuration says which SNIs; /ui/api/ssls adds what the certificate
// itself says (subject, SANs, validity), parsed by the gateway.

function daysBadge(days) {
  if (days === null || days === undefined) return '—';
  if (days < 0) return badge(`expired ${-days} d ago`, 'bad');
  if (days <= 30) return badge(`${days} d`, 'warn');
  return badge(`${days} d`, 'ok');
}

async function certificates(ctx) {
  try {
    const answer = await api.get('/ssls', { signal: ctx.signal });
    return new Map((answer.ssls || []).map((s) => [String(s.id), s]));
  } catch (error) {
    if (error.name === 'AbortError' || error.status === 401) throw error;
    return new Map();
  }
}

export function renderSsls(view, ctx) {
  const type = TYPES.ssls;
  let certs = new Map();
  return renderList(view, ctx, type, {
    items: async (items) => {
      certs = await certificates(ctx);
      return items.map((item) => ({ ...certs.get(String(item.id)), ...item }));
    },
    columns: [
      ['ID', (s) => link(route('ssls', s.id), String(s.id))],
      ['SNIs', (s) => summaryList(s.snis || (s.sni ? [s.sni] : []), 3)],
      ['Subject', (s) => s.subject || '—'],
      ['SANs', (s) => summaryList(s.sans || [], 3)],
      ['Expires', (s) => formatTime(s.not_after)],
      ['Days left', (s) => daysBadge(s.days_left)],
      ['Status', (s) => (s.status === 0 || s.status === 'disabled' ? badge('disabled', 'muted') : badge('enabled', 'ok'))],
    ],
  });
}

export function renderSsl(view, ctx, id) {
  return renderDetail(view, ctx, TYPES.ssls, id, {
    sections: async (v) => {
      const cert = (await certificates(ctx)).get(String(id));
      if (!ctx.alive) return;
      v.append(section('Certificate', cert ? definitionList([
        ['Subject', cert.subject], ['Issuer', cert.issuer], ['SANs', (cert.sans || []).join(', ') || '—'],
        ['Valid from', formatTime(cert.not_before)], ['Valid until', formatTime(cert.not_after)],
        ['Days left', daysBadge(cert.days_left)],
      ]) : h('p', { class: 'muted' }, 'The gateway reported nothing about this certificate.')));
    },
  });
}
