/** Client-side mirrors of the server's rules. Return a message key or null. */
import type { PhotoUploads, TemplateImageUploads } from '../api/types';
import type { TFunction } from '../i18n/I18nProvider';
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

/** The server's limits for one kind of image upload (GET /api/v1/config): photo or template_image. */
export type ImageLimits = Pick<PhotoUploads | TemplateImageUploads, 'media_types' | 'max_bytes'>;

/**
 * Each image of a template. Without `limits` (not loaded yet, or the server
 * could not be asked) any file goes and the server's answer decides; the
 * server has the last word anyway (413, 415, 422).
 */
export function validateTemplateImage(file: File | null | undefined, limits?: ImageLimits): MessageKey | null {
  if (!file) return 'v.imageRequired';
  if (limits && !limits.media_types.includes(file.type)) return 'v.imageType';
  if (limits && file.size > limits.max_bytes) return 'v.imageSize';
  if (file.size === 0) return 'v.imageEmpty';
  return null;
}

/** A photo to put emojis on; without `limits` the server decides, as for template images. */
export function validatePhoto(file: File | null | undefined, limits?: ImageLimits): MessageKey | null {
  if (!file) return 'v.photoRequired';
  if (limits && !limits.media_types.includes(file.type)) return 'v.photoType';
  if (limits && file.size > limits.max_bytes) return 'v.photoSize';
  if (file.size === 0) return 'v.imageEmpty';
  return null;
}

/** The server's TemplateForm: `name` and `description` maxLength, in characters (code points). */
export const NAME_MAX = 60;
export const DESCRIPTION_MAX = 500;

function charCount(s: string): number {
  return [...s].length;
}

export function validateTemplateName(raw: string): MessageKey | null {
  const n = raw.trim();
  if (!n) return 'v.required';
  if (charCount(n) > NAME_MAX) return 'v.nameLength';
  return null;
}

export function validateDescription(raw: string): MessageKey | null {
  if (charCount(raw.trim()) > DESCRIPTION_MAX) return 'v.descriptionLength';
  return null;
}

const FORMAT_NAMES: Record<string, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

/** "JPEG, PNG, WebP or GIF" from the server's media types, in its order. */
export function formatMediaTypes(types: readonly string[], t: TFunction): string {
  const names = types.map((type) => FORMAT_NAMES[type] ?? type.replace(/^image\//, '').toUpperCase());
  if (names.length < 2) return names.join('');
  return t('list.or', { items: names.slice(0, -1).join(', '), last: names[names.length - 1] });
}

/** The `{types}` and `{max}` of the messages about an image upload. */
export function imageLimitParams(limits: ImageLimits, t: TFunction): { types: string; max: string } {
  return { types: formatMediaTypes(limits.media_types, t), max: formatBytes(limits.max_bytes) };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
