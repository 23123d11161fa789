import { describe, expectTypeOf, it } from 'vitest';
import { EXPRESSIONS, type Expression } from './types';

describe('API types', () => {
  it('EXPRESSIONS lists every expression of the OpenAPI document, and nothing else', () => {
    // Checked by the type check (npm run typecheck), which sees test files too.
    expectTypeOf<(typeof EXPRESSIONS)[number]>().toEqualTypeOf<Expression>();
  });
});
