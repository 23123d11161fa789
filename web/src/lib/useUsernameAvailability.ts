import { useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import { normalizeUsername, validateUsername } from './validation';
import { useDebouncedValue } from './useDebouncedValue';

export type Availability =
  | { state: 'idle' }
  | { state: 'invalid' }
  | { state: 'checking' }
  | { state: 'available'; username: string }
  | { state: 'taken'; username: string }
  | { state: 'error' };

export const USERNAME_DEBOUNCE_MS = 300;

/**
 * Live "is this username free?" check. Waits until typing pauses for
 * 300 ms, skips values that fail the local rules, and ignores stale answers.
 */
export function useUsernameAvailability(raw: string): Availability {
  const username = normalizeUsername(raw);
  const debounced = useDebouncedValue(username, USERNAME_DEBOUNCE_MS);
  const [result, setResult] = useState<Availability>({ state: 'idle' });

  useEffect(() => {
    if (!debounced || validateUsername(debounced)) {
      setResult({ state: debounced ? 'invalid' : 'idle' });
      return;
    }
    const ctrl = new AbortController();
    setResult({ state: 'checking' });
    api
      .checkUsername(debounced, ctrl.signal)
      .then((r) => {
        if (ctrl.signal.aborted) return;
        setResult(r.available ? { state: 'available', username: debounced } : { state: 'taken', username: debounced });
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted || (e as Error)?.name === 'AbortError') return;
        const status = (e as { status?: number })?.status;
        setResult(status === 422 ? { state: 'invalid' } : { state: 'error' });
      });
    return () => ctrl.abort();
  }, [debounced]);

  // While the user is still typing, the last answer is about another name.
  if (username !== debounced) return username ? { state: 'checking' } : { state: 'idle' };
  return result;
}
