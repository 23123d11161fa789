import { describe, expect, it } from 'vitest';
import type { Face } from '../api/types';
import { face, scoresFor } from '../test/fixtures';
import { UNSURE_BELOW, expressionScore, isUnsure, modelReading } from './faces';

describe('isUnsure', () => {
  it('is true only below UNSURE_BELOW, judged on the expression probability', () => {
    expect(isUnsure(face({ score: 0.99, scores: scoresFor('happy', UNSURE_BELOW - 0.01) }))).toBe(true);
    expect(isUnsure(face({ score: 0.1, scores: scoresFor('happy', UNSURE_BELOW) }))).toBe(false);
  });

  it('is false once the user settled the face, and when the scores are missing', () => {
    const low = scoresFor('happy', 0.2);
    expect(isUnsure(face({ scores: low, corrected: true }))).toBe(false);
    expect(isUnsure(face({ scores: low, hidden: true }))).toBe(false);
    // The document says every face has all seven; the check stays defensive.
    expect(isUnsure(face({ scores: {} as Face['scores'] }))).toBe(false);
  });
});

describe('modelReading and expressionScore', () => {
  it('read the model, not the correction', () => {
    const f = face({ expression: 'angry', predicted: 'sad', corrected: true, scores: scoresFor('sad', 0.7) });
    expect(modelReading(f)).toBe('sad');
    expect(expressionScore(f, modelReading(f))).toBeCloseTo(0.7);
    expect(modelReading(face({ expression: 'fear' }))).toBe('fear');
  });
});
