import type { Expression, Face } from '../api/types';

/**
 * A face whose expression probability (`scores[expression]`) is below this is
 * marked "not sure — tap to change". Chosen from the accuracy evaluation of
 * the expression model: below it the model's pick is wrong often enough that
 * asking the user is worth the noise. It will be tuned; keep it the one place
 * this number lives.
 */
export const UNSURE_BELOW = 0.5;

/** The model's probability for an expression of this face, if it sent one. */
export function expressionScore(face: Face, expression: Expression = face.expression): number | null {
  const v = face.scores?.[expression];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** What the model read: `predicted` once the user changed the face, else `expression`. */
export function modelReading(face: Face): Expression {
  return face.predicted ?? face.expression;
}

/**
 * True when the model was unsure of its own pick and the user has not
 * settled it yet. Uses the expression's probability, not the detection score.
 */
export function isUnsure(face: Face): boolean {
  if (face.corrected || face.hidden) return false;
  const s = expressionScore(face);
  return s !== null && s < UNSURE_BELOW;
}
