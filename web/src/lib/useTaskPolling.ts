import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Task } from '../api/types';

export const POLL_INITIAL_MS = 300;
export const POLL_MAX_MS = 2000;
export const POLL_FACTOR = 1.5;
/** How long the server may hold each request while the task is pending. */
export const WAIT_SECONDS = 10;
/** Least time between two requests, should a server answer "pending" early. */
export const MIN_REQUEST_GAP_MS = 1000;

/** Delay before retry number `attempt` (0-based): 300, 450, 675, … capped at 2000 ms. */
export function backoffDelay(attempt: number): number {
  return Math.min(POLL_MAX_MS, Math.round(POLL_INITIAL_MS * POLL_FACTOR ** attempt));
}

export interface PollState {
  task: Task | null;
  error: unknown;
  /** True until the task reached done/failed or polling gave up. */
  polling: boolean;
}

const MAX_CONSECUTIVE_ERRORS = 5;

/**
 * Follows GET /faces/tasks/{id}?wait=10 until the task is done or failed: the
 * server answers as soon as the task finishes, so each pending answer is
 * followed by the next request at once. Transient errors (network, 429, 503,
 * 5xx) are retried with exponential backoff, honouring Retry-After; others
 * stop polling.
 */
export function useTaskPolling(taskId: string | null): PollState {
  const [state, setState] = useState<PollState>({ task: null, error: null, polling: !!taskId });
  const attemptRef = useRef(0);

  useEffect(() => {
    if (!taskId) {
      setState({ task: null, error: null, polling: false });
      return;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctrl = new AbortController();
    let errors = 0;
    attemptRef.current = 0;
    setState({ task: null, error: null, polling: true });

    const schedule = (ms: number) => {
      timer = setTimeout(tick, ms);
    };

    async function tick() {
      const asked = Date.now();
      try {
        const task = await api.task(taskId as string, { waitSeconds: WAIT_SECONDS, signal: ctrl.signal });
        if (cancelled) return;
        errors = 0;
        attemptRef.current = 0;
        const finished = task.status === 'done' || task.status === 'failed';
        setState({ task, error: null, polling: !finished });
        if (!finished) schedule(Math.max(0, MIN_REQUEST_GAP_MS - (Date.now() - asked)));
      } catch (e) {
        if (cancelled) return;
        const transient =
          e instanceof ApiError && (e.status === 0 || e.status === 429 || e.status === 503 || e.status >= 500);
        errors += 1;
        if (transient && errors < MAX_CONSECUTIVE_ERRORS) {
          const ra = e instanceof ApiError && e.retryAfter != null ? e.retryAfter * 1000 : 0;
          setState((s) => ({ ...s, error: e }));
          schedule(Math.max(ra, backoffDelay(++attemptRef.current)));
        } else {
          setState((s) => ({ ...s, error: e, polling: false }));
        }
      }
    }

    schedule(0);
    return () => {
      cancelled = true;
      ctrl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [taskId]);

  return state;
}
