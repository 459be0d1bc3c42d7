// The one place that talks to /ui/api. The admin key travels only in the X-API-KEY header and
// lives only in sessionStorage: never in a URL (it would land in history and access logs) and
// never in a log line.

const KEY_NAME = 'tidegate.adminKey';
let unauthorizedHandler = () => {};

export const session = {
  get key() {
    try { return sessionStorage.getItem(KEY_NAME); } catch { return null; }
  },
  set(key) { sessionStorage.setItem(KEY_NAME, key); },
  clear() { sessionStorage.removeItem(KEY_NAME); },
};

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
  get fieldErrors() {
    return Array.isArray(this.body?.errors) ? this.body.errors : [];
  }
}

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

// options.key: try this key instead of the stored one (sign-in), and do not treat a 401 as the
// session ending, since there is no session yet.
export async function request(method, path, options = {}) {
  const key = options.key ?? session.key;
  const headers = { Accept: 'application/json' };
  if (key) headers['X-API-KEY'] = key;
  let body = options.body;
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    headers['Content-Type'] = options.contentType || 'application/json';
  }
  let response;
  try {
    response = await fetch('/ui/api' + path, {
      method, headers, body, cache: 'no-store', credentials: 'same-origin', signal: options.signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    // A key with characters outside Latin-1 cannot be put in a header: fetch throws TypeError.
    if (error instanceof TypeError && key && /[^\u0000-\u00ff]/.test(key)) {
      throw new ApiError(0, null, 'The admin key holds characters a header cannot carry.');
    }
    throw new ApiError(0, null, 'The gateway did not answer (is it running?).');
  }
  const text = await response.text();
  let data = text;
  if ((response.headers.get('Content-Type') || '').includes('json') && text !== '') {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!response.ok) {
    const message = (data && typeof data === 'object' && (data.error_msg || data.message)) || `${response.status} ${response.statusText}`;
    const error = new ApiError(response.status, typeof data === 'object' ? data : null, message);
    if (response.status === 401 && options.key === undefined) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

export const api = {
  get: (path, options) => request('GET', path, options),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  del: (path, options) => request('DELETE', path, options),
};

export function enc(segment) {
  return encodeURIComponent(String(segment));
}
