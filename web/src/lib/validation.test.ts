import { describe, expect, it } from 'vitest';
import { translate, type TFunction } from '../i18n/I18nProvider';
import { dictionaries } from '../i18n/messages';
import { siteConfig } from '../test/fixtures';
import { fakeFile } from '../test/utils';
import {
  formatMediaTypes,
  imageLimitParams,
  validateDescription,
  validateNickname,
  validatePassword,
  validatePhoto,
  validateTemplateImage,
  validateTemplateName,
  validateUsername,
} from './validation';

describe('username rules (mirror the server)', () => {
  it.each([
    ['abc', null],
    ['ABC', null], // server lowercases
    ['a.b_c-9', null],
    ['ab', 'v.usernameLength'],
    ['a'.repeat(31), 'v.usernameLength'],
    ['has space', 'v.usernameChars'],
    ['한글이름', 'v.usernameChars'],
    ['', 'v.required'],
  ])('%s → %s', (input, expected) => {
    expect(validateUsername(input)).toBe(expected);
  });

  it('password length 8–128', () => {
    expect(validatePassword('1234567')).toBe('v.passwordLength');
    expect(validatePassword('12345678')).toBeNull();
    expect(validatePassword('x'.repeat(129))).toBe('v.passwordLength');
  });

  it('nickname optional, 1–40 after trim', () => {
    expect(validateNickname('')).toBeNull();
    expect(validateNickname('   ')).toBe('v.nicknameBlank');
    expect(validateNickname(' ' + 'n'.repeat(40) + ' ')).toBeNull();
    expect(validateNickname('n'.repeat(41))).toBe('v.nicknameLength');
  });
});

describe('image rules (the server\'s limits from GET /api/v1/config)', () => {
  const { photo, template_image: image } = siteConfig();
  const MiB = 1024 * 1024;

  it('photos: a JPEG up to the limit goes, one byte over does not', () => {
    expect(photo.max_bytes).toBe(15 * MiB);
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg'), photo)).toBeNull();
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg', 15 * MiB), photo)).toBeNull();
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg', 15 * MiB + 1), photo)).toBe('v.photoSize');
  });

  it('photos: only the media types the server lists', () => {
    for (const type of ['image/png', 'image/webp', 'image/gif']) {
      expect(validatePhoto(fakeFile('a', type), photo)).toBeNull();
    }
    expect(validatePhoto(fakeFile('a.bmp', 'image/bmp'), photo)).toBe('v.photoType');
    expect(validatePhoto(fakeFile('a.pdf', 'application/pdf'), photo)).toBe('v.photoType');
    expect(validatePhoto(fakeFile('a', ''), photo)).toBe('v.photoType');
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg', 11 * MiB), { ...photo, max_bytes: 10 * MiB })).toBe(
      'v.photoSize',
    );
  });

  it('photos: anything goes while the limits are unknown, the server decides', () => {
    expect(validatePhoto(fakeFile('a.bmp', 'image/bmp'))).toBeNull();
    expect(validatePhoto(fakeFile('a.txt', 'text/plain'))).toBeNull();
    expect(validatePhoto(fakeFile('huge.jpg', 'image/jpeg', 500 * MiB))).toBeNull();
    // Still refused: no file, and an empty one (the document asks for at least one byte).
    expect(validatePhoto(null)).toBe('v.photoRequired');
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg', 0))).toBe('v.imageEmpty');
  });

  it('template images: the listed types up to their own limit', () => {
    expect(validateTemplateImage(undefined, image)).toBe('v.imageRequired');
    expect(validateTemplateImage(fakeFile('a.png', 'image/png', 2 * MiB), image)).toBeNull();
    expect(validateTemplateImage(fakeFile('a.png', 'image/png', 2 * MiB + 1), image)).toBe('v.imageSize');
    expect(validateTemplateImage(fakeFile('a.bmp', 'image/bmp'), image)).toBe('v.imageType');
    expect(validateTemplateImage(fakeFile('a.svg', 'image/svg+xml'), image)).toBe('v.imageType');
    for (const type of ['image/jpeg', 'image/webp', 'image/gif']) {
      expect(validateTemplateImage(fakeFile('a', type), image)).toBeNull();
    }
    expect(validateTemplateImage(fakeFile('a.bmp', 'image/bmp', 3 * MiB))).toBeNull();
    expect(validateTemplateImage(undefined)).toBe('v.imageRequired');
  });
});

describe('template name and description (the document\'s TemplateForm)', () => {
  it('name: 1–60 characters after trimming, counted as the server counts them', () => {
    expect(validateTemplateName('  ')).toBe('v.required');
    expect(validateTemplateName(' ' + 'n'.repeat(60) + ' ')).toBeNull();
    expect(validateTemplateName('n'.repeat(61))).toBe('v.nameLength');
    // 60 emoji are 120 UTF-16 units but 60 characters.
    expect(validateTemplateName('😀'.repeat(60))).toBeNull();
  });

  it('description: at most 500 characters', () => {
    expect(validateDescription('d'.repeat(500))).toBeNull();
    expect(validateDescription('d'.repeat(501))).toBe('v.descriptionLength');
  });
});

describe('formatMediaTypes', () => {
  it('names the formats in the server\'s order, in each language', () => {
    const types = siteConfig().photo.media_types;
    expect(formatMediaTypes(types, (k, p) => translate('en', k, p))).toBe('JPEG, PNG, WebP or GIF');
    expect(formatMediaTypes(types, (k, p) => translate('ko', k, p))).toBe('JPEG, PNG, WebP, GIF');
    expect(formatMediaTypes(['image/png'], (k, p) => translate('en', k, p))).toBe('PNG');
    expect(formatMediaTypes(['image/png', 'image/avif'], (k, p) => translate('en', k, p))).toBe('PNG or AVIF');
  });
});

describe('upload hints', () => {
  it('say the server\'s formats and sizes in English and Korean', () => {
    const { photo, template_image: image } = siteConfig();
    const hints = (lang: 'en' | 'ko') => {
      const t: TFunction = (k, p) => translate(lang, k, p);
      return [
        t('use.photoHint', imageLimitParams(photo, t)),
        t('create.imagesHelp', { ...imageLimitParams(image, t), side: image.max_side }),
      ];
    };
    expect(hints('en')).toEqual([
      'JPEG, PNG, WebP or GIF, up to 15.0 MB. You can also paste an image (Ctrl+V).',
      'JPEG, PNG, WebP or GIF, each up to 2.0 MB and 2048 × 2048 pixels. Square images look best.',
    ]);
    expect(hints('ko')).toEqual([
      'JPEG, PNG, WebP, GIF, 최대 15.0 MB. 이미지를 붙여넣을 수도 있어요 (Ctrl+V).',
      'JPEG, PNG, WebP, GIF, 각각 최대 2.0 MB, 가로세로 2048픽셀 이하. 정사각형 이미지가 가장 잘 어울려요.',
    ]);
  });

  it('never mention BMP, which the server refuses', () => {
    for (const lang of ['en', 'ko'] as const) {
      for (const message of Object.values(dictionaries[lang])) {
        expect(JSON.stringify(message)).not.toMatch(/bmp/i);
      }
    }
  });
});
