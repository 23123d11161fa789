import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderWithProviders } from '../test/utils';
import SignupPage from './SignupPage';

function type(value: string) {
  fireEvent.change(screen.getByTestId('signup-username'), { target: { value } });
}

describe('SignupPage username availability', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('debounces: one request 300 ms after typing stops', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
      const name = new URL(String(url), 'http://x').searchParams.get('username');
      return jsonResponse({ username: name, available: name !== 'taken' });
    });
    renderWithProviders(<SignupPage />);
    type('a');
    type('al');
    type('ali');
    type('Alice');
    await act(() => vi.advanceTimersByTimeAsync(299));
    expect(fetchMock).not.toHaveBeenCalled();
    expect(screen.getByTestId('username-status')).toHaveTextContent('Checking');
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(String(fetchMock.mock.calls[0][0])).toBe('/api/v1/users/?username=alice');
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByTestId('username-status')).toHaveTextContent('This username is available.');
  });

  it('shows "taken" and does not call the API for locally invalid names', async () => {
    const fetchMock = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => jsonResponse({ username: 'taken', available: false }));
    renderWithProviders(<SignupPage />);
    type('ab');
    await act(() => vi.advanceTimersByTimeAsync(500));
    expect(fetchMock).not.toHaveBeenCalled();
    type('bad name!');
    await act(() => vi.advanceTimersByTimeAsync(500));
    expect(fetchMock).not.toHaveBeenCalled();
    type('taken');
    await act(() => vi.advanceTimersByTimeAsync(300));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('username-status')).toHaveTextContent('already taken');
  });

  it('shows server field errors under the fields', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (_url, init) => {
      if (init?.method === 'POST')
        return jsonResponse(
          { error: { code: 'validation_failed', message: 'Invalid input', fields: { password: 'too common' } } },
          422,
        );
      return jsonResponse({ username: 'alice', available: true });
    });
    renderWithProviders(<SignupPage />);
    type('alice');
    fireEvent.change(screen.getByTestId('signup-password'), { target: { value: 'password1' } });
    await act(() => vi.advanceTimersByTimeAsync(300));
    fireEvent.click(screen.getByTestId('signup-submit'));
    await act(() => vi.advanceTimersByTimeAsync(10));
    expect(screen.getByText('too common')).toBeInTheDocument();
    expect(screen.getByTestId('signup-password')).toHaveAttribute('aria-invalid', 'true');
  });
});
