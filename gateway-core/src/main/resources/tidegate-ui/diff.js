import { h } from './dom.js';

// Keys sorted at every level, so two documents that differ only in key order (the server and
// the form build objects in different orders) show no difference.
export function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const sorted = {};
    for (const key of Object.keys(value).sort()) sorted[key] = canonical(value[key]);
    return sorted;
  }
  return value;
}

export function prettyLines(value) {
  if (value === undefined || value === null) return [];
  return JSON.stringify(canonical(value), null, 2).split('\n');
}

// Longest common subsequence over lines. The common head and tail are cut first: an edit
// usually touches a few lines of a long document, and that keeps the table small.
export function lineDiff(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endA = before.length;
  let endB = after.length;
  while (endA > start && endB > start && before[endA - 1] === after[endB - 1]) { endA--; endB--; }
  const a = before.slice(start, endA);
  const b = after.slice(start, endB);
  const middle = [];
  if (a.length * b.length > 4_000_000) {
    // Too big for the table in a browser tab: show it as replaced, still correct if coarse.
    a.forEach((line) => middle.push({ op: 'del', line }));
    b.forEach((line) => middle.push({ op: 'add', line }));
  } else {
    const width = b.length + 1;
    const lcs = new Uint32Array((a.length + 1) * width);
    for (let i = a.length - 1; i >= 0; i--) {
      for (let j = b.length - 1; j >= 0; j--) {
        lcs[i * width + j] = a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { middle.push({ op: 'same', line: a[i] }); i++; j++; }
      else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) { middle.push({ op: 'del', line: a[i] }); i++; }
      else { middle.push({ op: 'add', line: b[j] }); j++; }
    }
    while (i < a.length) middle.push({ op: 'del', line: a[i++] });
    while (j < b.length) middle.push({ op: 'add', line: b[j++] });
  }
  return [
    ...before.slice(0, start).map((line) => ({ op: 'same', line })),
    ...middle,
    ...before.slice(endA).map((line) => ({ op: 'same', line })),
  ];
}

export function diffValues(before, after) {
  return lineDiff(prettyLines(before), prettyLines(after));
}

export function hasChanges(lines) {
  return lines.some((l) => l.op !== 'same');
}

// Long unchanged stretches fold to one line so the changes stay on screen.
export function renderDiff(lines, attrs = {}, context = 3) {
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.op === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out = [];
  let folded = 0;
  const flush = () => {
    if (folded) out.push(h('div', { class: 'line fold' }, `… ${folded} unchanged line${folded === 1 ? '' : 's'}`));
    folded = 0;
  };
  lines.forEach((l, i) => {
    if (!keep[i] && l.op === 'same') { folded++; return; }
    flush();
    const mark = l.op === 'add' ? '+' : l.op === 'del' ? '-' : ' ';
    out.push(h('div', { class: `line ${l.op}` }, `${mark} ${l.line}`));
  });
  flush();
  const added = lines.filter((l) => l.op === 'add').length;
  const removed = lines.filter((l) => l.op === 'del').length;
  return h('div', { ...attrs, class: 'diff', role: 'region', 'aria-label': `Changes: ${added} lines added, ${removed} removed` },
    h('p', { class: 'diff-summary' }, `${added} line${added === 1 ? '' : 's'} added, ${removed} removed`),
    h('div', { class: 'diff-lines' }, out));
}
