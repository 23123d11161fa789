import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { translate } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { describeFixError, describeUploadError, isFinalFixError } from './errors';

const t = (k: MessageKey, p?: Record<string, string | number>) => translate('en', k, p);

describe('describeUploadError', () => {
  it('maps statuses to human sentences', () => {
    expect(describeUploadError(new ApiError(413, { code: 'payload_too_large', message: 'x' }), t)).toMatch(/too large/i);
    expect(describeUploadError(new ApiError(415, { code: 'unsupported_media_type', message: 'x' }), t)).toMatch(
      /does not look like an image/,
    );
    expect(
      describeUploadError(new ApiError(422, { code: 'validation', message: 'x', fields: { image: 'not an image' } }), t),
    ).toMatch(/does not look like an image.*not an image/);
    expect(describeUploadError(new ApiError(503, { code: 'busy', message: 'x' }, 7), t)).toBe(
      'The server is busy right now. Please try again in 7 s.',
    );
    expect(describeUploadError(new ApiError(429, { code: 'rate_limited', message: 'x' }), t)).toMatch(/busy/);
    expect(describeUploadError(new ApiError(0, null), t)).toMatch(/reach the server/);
  });

  it('Korean too', () => {
    const ko = (k: MessageKey, p?: Record<string, string | number>) => translate('ko', k, p);
    expect(describeUploadError(new ApiError(503, null, 3), ko)).toContain('3초');
  });
});

describe('describeFixError', () => {
  it('explains a 410 by its code, in English and Korean', () => {
    const expired = new ApiError(410, { code: 'original_expired', message: 'the uploaded photo was deleted…' });
    const deleted = new ApiError(410, { code: 'template_deleted', message: 'gone' });
    expect(describeFixError(expired, t)).toMatch(/uploaded photo was deleted after its retention period/);
    expect(describeFixError(deleted, t)).toMatch(/template was deleted/);
    const ko = (k: MessageKey, p?: Record<string, string | number>) => translate('ko', k, p);
    expect(describeFixError(expired, ko)).toContain('보관 기간');
    expect(describeFixError(deleted, ko)).toContain('템플릿이 삭제');
    expect(isFinalFixError(expired)).toBe(true);
  });

  it('leaves other refusals to describeError', () => {
    const notDone = new ApiError(409, { code: 'task_not_done', message: 'Not done yet' });
    expect(describeFixError(notDone, t)).toBe('Not done yet');
    expect(describeFixError(new ApiError(404, { code: 'task_not_found', message: 'x' }), t)).toBe('Not found.');
    expect(describeFixError(new ApiError(0, null), t)).toMatch(/reach the server/);
    expect(isFinalFixError(notDone)).toBe(false);
  });
});
