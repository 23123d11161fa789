import { describe, expect, it } from 'vitest';
import { fakeFile } from '../test/utils';
import {
  validateNickname,
  validatePassword,
  validatePhoto,
  validateTemplateImage,
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

describe('image rules', () => {
  it('template images: png/jpeg/webp/gif up to 2 MB', () => {
    expect(validateTemplateImage(undefined)).toBe('v.imageRequired');
    expect(validateTemplateImage(fakeFile('a.png', 'image/png', 2 * 1024 * 1024))).toBeNull();
    expect(validateTemplateImage(fakeFile('a.png', 'image/png', 2 * 1024 * 1024 + 1))).toBe('v.imageSize2mb');
    expect(validateTemplateImage(fakeFile('a.svg', 'image/svg+xml'))).toBe('v.imageType');
    expect(validateTemplateImage(fakeFile('a.txt', 'text/plain'))).toBe('v.imageType');
    for (const type of ['image/jpeg', 'image/webp', 'image/gif']) {
      expect(validateTemplateImage(fakeFile('a', type))).toBeNull();
    }
  });

  it('photos: images only, size guard', () => {
    expect(validatePhoto(null)).toBe('v.photoRequired');
    expect(validatePhoto(fakeFile('a.pdf', 'application/pdf'))).toBe('v.photoType');
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg', 11 * 1024 * 1024))).toBe('v.photoSize');
    expect(validatePhoto(fakeFile('a.jpg', 'image/jpeg'))).toBeNull();
  });
});
