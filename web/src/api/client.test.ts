import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../test/utils';
import { ApiError, apiFetch, parseRetryAfter, setUnauthorizedHandler } from './client';
import { getToken, setToken } from './token';

afterEach(() => setUnauthorizedHandler(null));

describe('apiFetch', () => {
  it('sends the bearer token and parses JSON', async () => {
    setToken('tok123');
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(jsonResponse({ id: 1 }));
    await expect(apiFetch('/api/v1/users/auth')).resolves.toEqual({ id: 1 });
    const init = fetchMock.mock.calls[0][1] as RequestInit;
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok123');
  });

  it('turns the error envelope into ApiError with fields and Retry-After', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      jsonResponse({ error: { code: 'busy', message: 'Busy', fields: { a: 'b' } } }, 503, { 'Retry-After': '5' }),
    );
    const err = await apiFetch('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'busy', message: 'Busy', fields: { a: 'b' }, retryAfter: 5 });
  });

  it('a 401 on an authenticated call clears the token and calls the handler', async () => {
    setToken('expired');
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      jsonResponse({ error: { code: 'unauthorized', message: 'Token expired' } }, 401),
    );
    await expect(apiFetch('/api/v1/users/mypage')).rejects.toMatchObject({ status: 401 });
    expect(getToken()).toBeNull();
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('a 401 without a token (wrong password) does not trigger the session-expired flow', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      jsonResponse({ error: { code: 'invalid_credentials', message: 'Wrong' } }, 401),
    );
    await expect(apiFetch('/api/v1/users/auth', { method: 'POST', json: {}, auth: false })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('network failure becomes status 0', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(apiFetch('/x')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('parses Retry-After', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('garbage')).toBeNull();
  });
});
