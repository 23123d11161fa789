import { QueryClientProvider } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { siteConfig } from '../test/fixtures';
import { jsonResponse, makeTestClient } from '../test/utils';
import { useSiteConfig } from './useSiteConfig';

function wrapperWith(client = makeTestClient()) {
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe('useSiteConfig', () => {
  it('asks GET /api/v1/config once, without a token, and shares the answer', async () => {
    window.localStorage.setItem('igemoji.token', 'tok');
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => jsonResponse(siteConfig()));
    const wrapper = wrapperWith();
    const first = renderHook(() => useSiteConfig(), { wrapper });
    expect(first.result.current).toBeUndefined();
    await waitFor(() => expect(first.result.current).toEqual(siteConfig()));

    // Another form later on the same page load: no second request.
    const second = renderHook(() => useSiteConfig(), { wrapper });
    expect(second.result.current?.photo.max_bytes).toBe(15 * 1024 * 1024);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/config');
    expect(new Headers(init?.headers).get('Authorization')).toBeNull();
  });

  it('stays undefined when the server cannot answer, and the next form asks again', async () => {
    const fetchMock = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementationOnce(async () => jsonResponse({ error: { code: 'internal', message: 'x' } }, 500))
      .mockImplementation(async () => jsonResponse(siteConfig()));
    const wrapper = wrapperWith();
    const first = renderHook(() => useSiteConfig(), { wrapper });
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 10));
    expect(first.result.current).toBeUndefined();
    first.unmount();

    const second = renderHook(() => useSiteConfig(), { wrapper });
    await waitFor(() => expect(second.result.current).toEqual(siteConfig()));
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
