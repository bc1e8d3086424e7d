/**
 * The one way the web app talks to the server: same-origin fetch with the session cookie, the
 * CSRF header the server checks on writes, and the organization the user is working in
 * (CVAT's X-Organization; an empty value means the personal workspace). Errors come back as
 * ApiError with the server's stable code, so screens can react to a code rather than parse text.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = undefined,
    /** The whole error body: some errors carry more than details (a 409 says what changed). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send no X-Organization header (calls that are about the user, not an organization). */
  noOrg?: boolean;
}

let organization: string | null = null;

/** The slug of the organization requests act in; null for the personal workspace. */
export function setOrganization(slug: string | null): void {
  organization = slug;
}

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Headers every request carries: CSRF on writes, the organization unless told otherwise. */
export function baseHeaders(method: string, noOrg = false): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (!noOrg) headers['X-Organization'] = organization ?? '';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = cookie('csrftoken');
    if (csrf) headers['X-CSRFToken'] = csrf;
  }
  return headers;
}

/** The server's error body as an ApiError; any other body (a proxy's page) keeps the status line. */
function errorFrom(status: number, statusText: string, text: string): ApiError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON.
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${status}`;
  const message =
    typeof body.message === 'string' ? body.message : typeof body.detail === 'string' ? body.detail : statusText || `request failed with status ${status}`;
  if (status === 401) unauthorizedListeners.forEach((l) => l());
  return new ApiError(status, code, message, body.details, body);
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ data: T; response: Response }> {
  const headers = { ...baseHeaders(method, options.noOrg), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await fetch(url(path, options.query), { method, headers, body, credentials: 'same-origin', signal: options.signal });
  if (!res.ok) throw errorFrom(res.status, res.statusText, await res.text());
  const text = res.status === 204 ? '' : await res.text();
  return { data: (text ? JSON.parse(text) : undefined) as T, response: res };
}

export const api = {
  get: async <T>(path: string, query?: Query, options: { signal?: AbortSignal; noOrg?: boolean } = {}) =>
    (await request<T>('GET', path, { query, ...options })).data,
  post: async <T>(path: string, json?: unknown, query?: Query) => (await request<T>('POST', path, { json: json ?? {}, query })).data,
  patch: async <T>(path: string, json: unknown, query?: Query) => (await request<T>('PATCH', path, { json, query })).data,
  delete: async (path: string, query?: Query) => {
    await request<unknown>('DELETE', path, { query });
  },
};

const unauthorizedListeners = new Set<() => void>();
/** Called when any request answers 401 (the session ended): the app goes back to the login page. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/**
 * A multipart upload with progress. fetch() cannot report upload progress, so this is the one
 * place XMLHttpRequest is used.
 */
export function upload<T>(path: string, form: FormData, onProgress: (loaded: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(baseHeaders('POST'))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve((xhr.responseText ? JSON.parse(xhr.responseText) : {}) as T);
      else reject(errorFrom(xhr.status, xhr.statusText, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'the upload was interrupted (network error)'));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'upload cancelled'));
    xhr.send(form);
  });
}
