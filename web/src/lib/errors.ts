import { ApiError } from '../api/client';
import type { TFunction } from '../i18n/I18nProvider';

/**
 * Human sentence for an error from an upload (face photo or template).
 * Status-based so it works whatever `code` the server picks.
 */
export function describeUploadError(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    switch (err.status) {
      case 0:
        return t('err.network');
      case 401:
        return t('err.loginRequired');
      case 403:
        return t('err.forbidden');
      case 404:
        return t('err.emojiNotFound');
      case 413:
        return t('err.tooLarge');
      case 415:
        return t('err.notImage');
      case 422: {
        const fieldMsg = err.fields.image ?? Object.values(err.fields)[0];
        return fieldMsg ? `${t('err.notImage')} (${fieldMsg})` : t('err.notImage');
      }
      case 429:
      case 503:
        return err.retryAfter != null ? t('err.busyRetry', { seconds: err.retryAfter }) : t('err.busy');
      default:
        return err.status >= 500 ? t('err.server') : err.message || t('err.generic');
    }
  }
  if (err instanceof Error && err.name === 'AbortError') return t('err.cancelled');
  return t('err.generic');
}

/** Generic mapping for non-upload calls: prefer server message, with a few status overrides. */
export function describeError(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('err.network');
    if (err.status === 429 || err.status === 503)
      return err.retryAfter != null ? t('err.busyRetry', { seconds: err.retryAfter }) : t('err.busy');
    if (err.status === 404) return t('err.notFound');
    if (err.status === 403) return t('err.forbidden');
    if (err.status >= 500) return t('err.server');
    return err.message || t('err.generic');
  }
  return t('err.generic');
}

/**
 * Why a face could not be changed. A 410 is final (the uploaded photo was
 * deleted after its retention period, or the template was deleted), so it
 * gets its own sentence; everything else goes through {@link describeError}.
 */
export function describeFixError(err: unknown, t: TFunction): string {
  if (err instanceof ApiError && err.status === 410) {
    return err.code === 'template_deleted' ? t('fix.templateDeleted') : t('fix.originalExpired');
  }
  return describeError(err, t);
}

/** True for refusals that no retry will change (410 Gone). */
export function isFinalFixError(err: unknown): boolean {
  return err instanceof ApiError && err.status === 410;
}
