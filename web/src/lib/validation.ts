/** Client-side mirrors of the server's rules. Return a message key or null. */
import type { MessageKey } from '../i18n/messages';

export const USERNAME_RE = /^[a-z0-9_.-]{3,30}$/;

export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

export function validateUsername(raw: string): MessageKey | null {
  const u = normalizeUsername(raw);
  if (u.length === 0) return 'v.required';
  if (u.length < 3 || u.length > 30) return 'v.usernameLength';
  if (!USERNAME_RE.test(u)) return 'v.usernameChars';
  return null;
}

export function validatePassword(pw: string): MessageKey | null {
  if (pw.length === 0) return 'v.required';
  if (pw.length < 8 || pw.length > 128) return 'v.passwordLength';
  return null;
}

/** Empty is allowed: the server defaults the nickname to the username. */
export function validateNickname(raw: string): MessageKey | null {
  const n = raw.trim();
  if (raw.length > 0 && n.length === 0) return 'v.nicknameBlank';
  if (n.length > 40) return 'v.nicknameLength';
  return null;
}

export const TEMPLATE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export const TEMPLATE_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

/** Face photos: any common image type; 10 MB is a client-side guard, the server has the final word (413). */
export const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp'] as const;
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

export function validateTemplateImage(file: File | null | undefined): MessageKey | null {
  if (!file) return 'v.imageRequired';
  if (!(TEMPLATE_IMAGE_TYPES as readonly string[]).includes(file.type)) return 'v.imageType';
  if (file.size > TEMPLATE_IMAGE_MAX_BYTES) return 'v.imageSize2mb';
  if (file.size === 0) return 'v.imageEmpty';
  return null;
}

export function validatePhoto(file: File | null | undefined): MessageKey | null {
  if (!file) return 'v.photoRequired';
  if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) return 'v.photoType';
  if (file.size > PHOTO_MAX_BYTES) return 'v.photoSize';
  if (file.size === 0) return 'v.imageEmpty';
  return null;
}

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 1000;

export function validateTemplateName(raw: string): MessageKey | null {
  const n = raw.trim();
  if (!n) return 'v.required';
  if (n.length > NAME_MAX) return 'v.nameLength';
  return null;
}

export function validateDescription(raw: string): MessageKey | null {
  if (raw.trim().length > DESCRIPTION_MAX) return 'v.descriptionLength';
  return null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
