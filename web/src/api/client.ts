/**
 * Small fetch wrapper for the IGE-MOJI API.
 *
 * - Adds `Authorization: Bearer …` when a token is stored.
 * - Turns every non-2xx answer into an {@link ApiError} carrying the
 *   server's `{"error": {code, message, fields}}` body and Retry-After.
 * - A 401 on a call that carried a token means the session expired: the
 *   registered handler (see AuthProvider) clears the token and redirects.
 */
import type { components } from './schema';
import { clearToken, getToken } from './token';

/** The `error` of every error answer; `fields` names what is wrong with each field (validation only). */
export type ApiErrorBody = components['schemas']['ErrorDetail'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  /** Seconds, from the Retry-After header (429/503). */
  readonly retryAfter: number | null;

  constructor(status: number, body: Partial<ApiErrorBody> | null, retryAfter: number | null = null) {
    super(body?.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code || (status === 0 ? 'network_error' : `http_${status}`);
    this.fields = body?.fields ?? {};
    this.retryAfter = retryAfter;
  }
}

export const API_BASE = '/api/v1';

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Registered by the AuthProvider; called after a 401 on an authenticated call. */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  unauthorizedHandler = fn;
}

export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return null;
}

export function errorFromBody(status: number, text: string, retryAfterHeader: string | null): ApiError {
  let body: Partial<ApiErrorBody> | null = null;
  try {
    const parsed = JSON.parse(text) as { error?: Partial<ApiErrorBody> };
    if (parsed && typeof parsed === 'object' && parsed.error) body = parsed.error;
  } catch {
    body = null;
  }
  return new ApiError(status, body, parseRetryAfter(retryAfterHeader));
}

/** Call after any response with status 401 on a request that carried a token. */
export function handleUnauthorized(hadToken: boolean): void {
  if (!hadToken) return;
  clearToken('expired');
  unauthorizedHandler?.();
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  signal?: AbortSignal;
  /** Default true: send the stored token if there is one. */
  auth?: boolean;
}

export async function apiFetch<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = opts.auth === false ? null : getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  let res: Response;
  try {
    res = await fetch(path.startsWith('/') ? path : `${API_BASE}/${path}`, {
      method: opts.method ?? 'GET',
      headers,
      body,
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'network_error', message: 'Network error' });
  }
  if (res.status === 401) handleUnauthorized(!!token);
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw errorFromBody(res.status, text, res.headers.get('Retry-After'));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}
