import { h } from './dom.js';

// uPlot comes from /ui/vendor as a classic script and defines a global. It is loaded with
// 'defer' before this module runs; if it failed to load the overview still shows its numbers.
function uPlotAvailable() {
  return typeof window.uPlot === 'function';
}

const HEIGHT = 180;

// series: [{label, stroke, value: point => number|null}]; unit: shown on the y axis values.
export function timeChart(target, { title, series, unit, fixed = 1 }) {
  if (!uPlotAvailable()) {
    target.append(h('p', { class: 'muted' }, 'Charts unavailable: uPlot did not load.'));
    return { update() {}, destroy() {} };
  }
  const format = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(fixed)}${unit}`);
  const options = {
    title,
    width: Math.max(280, target.clientWidth || 600),
    height: HEIGHT,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max || 0, 1) * 1.15] } },
    series: [
      { label: 'time' },
      ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false, value: (u, v) => format(v) })),
    ],
    axes: [
      {},
      { values: (u, ticks) => ticks.map((v) => `${+v.toFixed(3)}${unit}`), size: 64 },
    ],
    legend: { live: true },
  };
  const empty = [[], ...series.map(() => [])];
  const plot = new window.uPlot(options, empty, target);
  // The content area changes width with the window; charts follow it instead of overflowing.
  const observer = new ResizeObserver(() => {
    const width = Math.max(280, target.clientWidth);
    if (Math.abs(width - plot.width) > 4) plot.setSize({ width, height: HEIGHT });
  });
  observer.observe(target);
  return {
    update(points) {
      const xs = points.map((p) => p.t);
      plot.setData([xs, ...series.map((s) => points.map((p) => {
        const v = s.value(p);
        return v === null || v === undefined || Number.isNaN(v) ? null : v;
      }))]);
    },
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}
