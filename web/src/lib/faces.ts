import type { Expression, Face } from '../api/types';

/**
 * A face whose expression probability (`scores[expression]`) is below this is
 * marked "not sure — tap to change". From `bench/accuracy.sh`: with fer, 3 of
 * the 10 faces below 0.5 were wrong against 3 of 48 above; FaceExpressionNet
 * put only 2 of 58 faces below it (both right) and its one miss at 0.98, so
 * the labelled set is too small to move it. Keep it the one place this
 * number lives.
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
