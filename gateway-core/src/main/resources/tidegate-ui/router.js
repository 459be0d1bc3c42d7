// Hash routing: '#/routes/1/edit' -> ['routes', '1', 'edit']. A page gets a fresh context per
// visit; timers and in-flight requests registered on it end when the user leaves, so a page
// left behind never writes into the next one.

export function currentParts() {
  const hash = location.hash;
  if (!hash.startsWith('#/')) return null;
  return hash.slice(2).split('/').filter((s) => s !== '').map((s) => {
    try { return decodeURIComponent(s); } catch { return s; }
  });
}

export class PageContext {
  constructor(parts) {
    this.parts = parts;
    this.controller = new AbortController();
    this.timers = new Set();
    this.cleanups = [];
  }
  get signal() { return this.controller.signal; }
  get alive() { return !this.controller.signal.aborted; }
  // Runs fn now and then every ms, never overlapping itself: a slow answer delays the next
  // poll instead of piling requests up.
  every(ms, fn) {
    const handle = { timer: null };
    this.timers.add(handle);
    const tick = async () => {
      if (!this.alive) return;
      try { await fn(); } catch (error) { if (error.name !== 'AbortError') console.warn(error.message); }
      if (this.alive) handle.timer = setTimeout(tick, ms);
    };
    return tick();
  }
  onLeave(fn) { this.cleanups.push(fn); }
  leave() {
    this.controller.abort();
    for (const handle of this.timers) clearTimeout(handle.timer);
    for (const fn of this.cleanups) {
      try { fn(); } catch { /* a cleanup failing must not stop the others */ }
    }
  }
}
