import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { doneTask, face, template } from '../test/fixtures';
import { jsonResponse, renderWithProviders } from '../test/utils';
import UseEmojiPage from './UseEmojiPage';

describe('UseEmojiPage face correction', () => {
  it('a changed face swaps the picture and the Download link to the new result', async () => {
    const calls: { url: string; method: string; body?: string }[] = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      calls.push({ url, method, body: init?.body ? String(init.body) : undefined });
      if (url.startsWith('/api/v1/emojis/7')) return jsonResponse(template({ visibility: 'private', builtin: false }));
      if (method === 'GET' && url.startsWith('/api/v1/faces/tasks/t1')) return jsonResponse(doneTask([face()]));
      if (method === 'PATCH' && url === '/api/v1/faces/tasks/t1/faces/0') {
        return jsonResponse(
          doneTask([face({ expression: 'surprise', predicted: 'happy', corrected: true })], {
            result_url: '/media/results/t1-v2.jpg',
            thumbnail_url: '/media/thumbnails/t1-v2.jpg',
          }),
        );
      }
      return jsonResponse({ error: { code: 'not_found', message: 'Not found' } }, 404);
    });
    renderWithProviders(<UseEmojiPage />, { route: '/emojis/7/use?task=t1&share=s3cret', path: '/emojis/:id/use' });

    await screen.findByTestId('task-done');
    // A private template opened through its share link keeps the token.
    expect(calls.find((c) => c.url.startsWith('/api/v1/emojis/7'))?.url).toBe('/api/v1/emojis/7?share=s3cret');
    const download = screen.getByTestId('download-result');
    expect(download).toHaveAttribute('href', '/media/results/t1.jpg');

    await userEvent.click(screen.getByTestId('face-item'));
    const dialog = await screen.findByRole('dialog', { name: 'Face 1: which emoji fits?' });
    // The picker shows the page's template images.
    expect(within(dialog).getByTestId('pick-surprise').querySelector('img')).toHaveAttribute(
      'src',
      '/media/emojis/7/surprise.png',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Face 1: choose Surprise' }));

    await waitFor(() => expect(screen.getByTestId('result-image')).toHaveAttribute('src', '/media/results/t1-v2.jpg'));
    expect(screen.getByTestId('download-result')).toHaveAttribute('href', '/media/results/t1-v2.jpg');
    expect(screen.getByTestId('download-result')).toHaveAttribute('download', 'igemoji-t1.jpg');
    expect(screen.getByTestId('face-item')).toHaveAttribute('data-expression', 'surprise');
    expect(screen.getByTestId('face-item')).toHaveTextContent('Changed by you');
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches).toEqual([
      { url: '/api/v1/faces/tasks/t1/faces/0', method: 'PATCH', body: '{"expression":"surprise"}' },
    ]);
  });
});
