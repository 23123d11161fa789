import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { translate } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { describeUploadError } from './errors';

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
