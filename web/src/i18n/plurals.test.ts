import { describe, expect, it } from 'vitest';
import { translate } from './I18nProvider';
import { dictionaries } from './messages';

describe('counted messages', () => {
  it('say "1 face", not "1 face(s)", in English', () => {
    expect(translate('en', 'task.done', { n: 1 })).toBe('Done! Found 1 face.');
    expect(translate('en', 'task.done', { n: 3 })).toBe('Done! Found 3 faces.');
    expect(translate('en', 'task.done', { n: 0 })).toBe('Done! Found 0 faces.');
    expect(translate('en', 'home.total', { n: 1 })).toBe('1 template');
    expect(translate('en', 'emoji.uses', { n: 1 })).toBe('used once');
    expect(translate('en', 'emoji.uses', { n: 12 })).toBe('used 12 times');
  });

  it('keep Korean counters as they are', () => {
    expect(translate('ko', 'task.done', { n: 1 })).toBe('완료! 얼굴 1개를 찾았어요.');
  });

  it('leave no "(s)" in any message', () => {
    for (const dictionary of Object.values(dictionaries)) {
      for (const message of Object.values(dictionary)) {
        const forms = typeof message === 'string' ? [message] : Object.values(message);
        for (const form of forms) expect(form).not.toMatch(/\(s\)/);
      }
    }
  });
});
