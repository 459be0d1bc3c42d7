import { api } from './api.js';

// What the dashboard learns once per sign-in: whether the configuration can be written (and
// why not), and the schemas (they change only when plugin jars change, which a reload picks up).

const listeners = new Set();

export const state = {
  writable: null, // unknown until the gateway says

  readOnlyReason: null,
  gatewayVersion: null,
  schemas: null,
  flash: null,
};

export function onStateChange(fn) {
  listeners.add(fn);
}

export function setWritable(writable, reason) {
  if (state.writable === writable && state.readOnlyReason === reason) return;
  state.writable = writable;
  state.readOnlyReason = reason;
  listeners.forEach((fn) => fn(state));
}

// The config answer says both: every page reading it keeps the banner right.
export function noteConfig(config) {
  if (config && typeof config.writable === 'boolean') {
    setWritable(config.writable, config.read_only_reason || (config.writable ? null : state.readOnlyReason));
  }
}

export async function loadSchemas(signal) {
  if (!state.schemas) state.schemas = await api.get('/schemas', { signal });
  return state.schemas;
}

export function resetState() {
  state.writable = null;
  state.readOnlyReason = null;
  state.schemas = null;
  state.flash = null;
  state.gatewayVersion = null;
}

// One message carried to the next page shown (e.g. "Deleted route 3" shown on the list).
export function setFlash(text, kind = 'ok') {
  state.flash = { text, kind };
}

export function takeFlash() {
  const flash = state.flash;
  state.flash = null;
  return flash;
}
