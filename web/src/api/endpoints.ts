import { API_BASE, apiFetch, qs } from './client';
import { xhrUpload, type UploadOptions } from './upload';
import type {
  AuthToken,
  CreatedUser,
  Emoji,
  FaceFix,
  LoginRequest,
  Page,
  SignUpRequest,
  SiteConfig,
  Task,
  TaskCreated,
  Top3,
  UsedItem,
  UserRef,
  UsernameCheck,
} from './types';

export const api = {
  /** The upload limits and image types the server enforces; read it through useSiteConfig. */
  siteConfig: () => apiFetch<SiteConfig>(`${API_BASE}/config`, { auth: false }),
  checkUsername: (username: string, signal?: AbortSignal) =>
    apiFetch<UsernameCheck>(`${API_BASE}/users/${qs({ username })}`, { signal, auth: false }),
  signUp: (body: SignUpRequest) =>
    apiFetch<CreatedUser>(`${API_BASE}/users/`, { method: 'POST', json: body, auth: false }),
  logIn: (body: LoginRequest) =>
    apiFetch<AuthToken>(`${API_BASE}/users/auth`, { method: 'POST', json: body, auth: false }),
  me: () => apiFetch<UserRef>(`${API_BASE}/users/auth`),
  deleteMe: () => apiFetch<void>(`${API_BASE}/users/me`, { method: 'DELETE' }),
  myUsed: (page: number, size: number) =>
    apiFetch<Page<UsedItem>>(`${API_BASE}/users/mypage${qs({ case: 'used', page, size })}`),
  myCreated: (page: number, size: number) =>
    apiFetch<Page<Emoji>>(`${API_BASE}/users/mypage${qs({ case: 'created', page, size })}`),
  emojis: (page: number, size: number, q?: string) =>
    apiFetch<Page<Emoji>>(`${API_BASE}/emojis/${qs({ page, size, q })}`),
  top3: (days?: number) => apiFetch<Top3>(`${API_BASE}/emojis/top3${qs({ days })}`),
  emoji: (id: number | string, share?: string | null) =>
    apiFetch<Emoji>(`${API_BASE}/emojis/${encodeURIComponent(String(id))}${qs({ share })}`),
  deleteEmoji: (id: number) => apiFetch<void>(`${API_BASE}/emojis/${id}`, { method: 'DELETE' }),
  createEmoji: (form: FormData, opts?: UploadOptions) => xhrUpload<Emoji>(`${API_BASE}/emojis/`, form, opts),
  uploadFace: (form: FormData, opts?: UploadOptions) => xhrUpload<TaskCreated>(`${API_BASE}/faces/`, form, opts),
  /** The task; with `waitSeconds`, held by the server until it is done or failed (at most that long). */
  task: (taskId: string, opts: { waitSeconds?: number; signal?: AbortSignal } = {}) =>
    apiFetch<Task>(`${API_BASE}/faces/tasks/${encodeURIComponent(taskId)}${qs({ wait: opts.waitSeconds })}`, {
      signal: opts.signal,
    }),
  /** Changes one face's emoji (or hides it); answers the updated task with new result images. */
  fixFace: (taskId: string, index: number, fix: FaceFix) =>
    apiFetch<Task>(`${API_BASE}/faces/tasks/${encodeURIComponent(taskId)}/faces/${index}`, {
      method: 'PATCH',
      json: fix,
    }),
};
