import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Task } from '../api/types';
import { jsonResponse } from '../test/utils';
import { backoffDelay, useTaskPolling } from './useTaskPolling';

function task(status: Task['status'], extra: Partial<Task> = {}): Task {
  return {
    task_id: 't1',
    status,
    emoji_id: 1,
    created_at: '2024-01-01T00:00:00Z',
    finished_at: null,
    image_width: null,
    image_height: null,
    faces: [],
    result_url: null,
    thumbnail_url: null,
    error: null,
    ...extra,
  };
}

describe('backoffDelay', () => {
  it('starts at 300 ms, grows by 1.5× and caps at 2 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(backoffDelay)).toEqual([300, 450, 675, 1013, 1519, 2000, 2000, 2000]);
  });
});

describe('useTaskPolling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks with wait=10 at once, again after each pending answer, and stops when done', async () => {
    const answers = [task('queued'), task('running'), task('done', { result_url: '/media/r.png' })];
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => jsonResponse(answers.shift()));
    const { result } = renderHook(() => useTaskPolling('t1'));

    expect(result.current.polling).toBe(true);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String(fetchMock.mock.calls[0][0])).toBe('/api/v1/faces/tasks/t1?wait=10');
    expect(result.current.task?.status).toBe('queued');

    // An early "pending" (the server did not hold it): the next ask keeps a 1 s gap.
    await act(() => vi.advanceTimersByTimeAsync(999));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(result.current.task?.status).toBe('running');

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(result.current.task?.status).toBe('done');
    expect(result.current.polling).toBe(false);

    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('asks again at once after an answer the server held', async () => {
    const answers = [task('running'), task('done')];
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockImplementation(
      () => new Promise((resolve) => setTimeout(() => resolve(jsonResponse(answers.shift())), 10_000)),
    );
    const { result } = renderHook(() => useTaskPolling('t1'));
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(result.current.task?.status).toBe('running');
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(result.current.task?.status).toBe('done');
    expect(result.current.polling).toBe(false);
  });

  it('retries a 503 honouring Retry-After, then continues', async () => {
    const fetchMock = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValueOnce(jsonResponse({ error: { code: 'busy', message: 'busy' } }, 503, { 'Retry-After': '3' }))
      .mockResolvedValueOnce(jsonResponse(task('failed', { error: { code: 'x', message: 'boom' } })));
    const { result } = renderHook(() => useTaskPolling('t1'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(result.current.error).toBeTruthy();
    expect(result.current.polling).toBe(true);
    await act(() => vi.advanceTimersByTimeAsync(2999));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(result.current.task?.status).toBe('failed');
    expect(result.current.polling).toBe(false);
  });

  it('stops on a 404 and on unmount', async () => {
    const fetchMock = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(jsonResponse({ error: { code: 'not_found', message: 'gone' } }, 404));
    const { result, unmount } = renderHook(() => useTaskPolling('t1'));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(result.current.polling).toBe(false);
    unmount();
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
