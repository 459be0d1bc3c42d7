import { h } from '../dom.js';
import { takeFlash } from '../state.js';

// Every page starts with its heading, focused, so keyboard and screen reader users land on the
// new page instead of staying on the link they followed. It is placed before any request, so
// focus never jumps later while someone is already typing in the page.
export function pageHeading(view, text, ...after) {
  const heading = h('h1', { tabindex: '-1' }, text);
  view.append(h('div', { class: 'page-head' }, heading, ...after));
  const flash = takeFlash();
  if (flash) view.append(h('p', { class: `notice notice-${flash.kind}`, role: 'status' }, flash.text));
  heading.focus({ preventScroll: true });
  return heading;
}

export function errorBox(error, prefix) {
  return h('div', { class: 'notice notice-bad', role: 'alert' },
    prefix ? `${prefix}: ` : null, error?.message || String(error));
}

export function loading() {
  return h('p', { class: 'muted loading', role: 'status' }, 'Loading…');
}

export function section(title, ...content) {
  return h('section', { class: 'panel' }, h('h2', null, title), ...content);
}

// Filters the rows of a table as the user types: every word must appear somewhere in the
// row's search text (case-insensitive).
export function searchBox(hint, onInput) {
  const input = h('input', {
    id: 'list-search', type: 'search', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'list-search-hint',
  });
  input.addEventListener('input', () => onInput(input.value));
  return h('div', { class: 'search' },
    h('label', { for: 'list-search' }, 'Search'),
    input,
    h('span', { class: 'hint', id: 'list-search-hint' }, hint));
}

export function matches(text, query) {
  const haystack = String(text).toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

export function filterRows(tbody, query, emptyText, columns) {
  let shown = 0;
  tbody.querySelectorAll('tr[data-search]').forEach((row) => {
    row.hidden = !matches(row.dataset.search, query);
    if (!row.hidden) shown++;
  });
  let none = tbody.querySelector('tr.no-match');
  if (shown === 0 && tbody.querySelector('tr[data-search]')) {
    if (!none) {
      none = h('tr', { class: 'no-match empty' }, h('td', { colspan: columns }, emptyText));
      tbody.append(none);
    }
  } else if (none) {
    none.remove();
  }
  return shown;
}
