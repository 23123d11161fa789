import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Emoji, Task } from '../api/types';
import { UNSURE_BELOW } from '../lib/faces';
import { doneTask, face, scoresFor, template } from '../test/fixtures';
import { jsonResponse, renderWithProviders } from '../test/utils';
import { FaceResult } from './FaceResult';

/** FaceResult with the page's part: a change replaces the task. */
function Harness({ initial, emoji = template() }: { initial: Task; emoji?: Emoji | null }) {
  const [task, setTask] = useState(initial);
  return <FaceResult task={task} emoji={emoji} onTaskChange={setTask} />;
}

/** A fetch that answers only when the test says so. */
function deferredFetch() {
  let answer: (r: Response) => void = () => undefined;
  const fetchMock = vi.spyOn(globalThis, 'fetch').mockImplementation(
    () =>
      new Promise<Response>((resolve) => {
        answer = resolve;
      }),
  );
  return { fetchMock, answer: (r: Response) => act(async () => answer(r)) };
}

function patchCall(fetchMock: ReturnType<typeof vi.spyOn>, n = 0) {
  const [url, init] = fetchMock.mock.calls[n] as [string, RequestInit];
  return { url, method: init.method, body: JSON.parse(String(init.body)), headers: init.headers as Record<string, string> };
}

const rows = () => screen.getAllByTestId('face-item');

describe('FaceResult confidence and "not sure"', () => {
  it('shows the expression probability, not the detection score, and marks faces below UNSURE_BELOW', () => {
    const task = doneTask([
      face({ expression: 'sad', score: 0.99, scores: scoresFor('sad', 0.42) }),
      face({ expression: 'happy', score: 0.3, scores: scoresFor('happy', UNSURE_BELOW) }),
    ]);
    renderWithProviders(<Harness initial={task} />);
    const [unsure, sure] = rows();
    expect(unsure).toHaveAttribute('data-unsure', 'true');
    expect(unsure).toHaveTextContent('Confidence 42%');
    expect(within(unsure).getByTestId('face-unsure')).toHaveTextContent('Not sure — tap to change');
    expect(sure).toHaveAttribute('data-unsure', 'false');
    expect(sure).toHaveTextContent('Confidence 50%');
    expect(sure).not.toHaveTextContent('30%');
    expect(within(sure).queryByTestId('face-unsure')).toBeNull();
  });

  it('a corrected face is never "not sure" and shows the model\'s reading', () => {
    const task = doneTask([
      face({ expression: 'angry', predicted: 'sad', corrected: true, scores: scoresFor('sad', 0.3) }),
    ]);
    renderWithProviders(<Harness initial={task} />);
    const [row] = rows();
    expect(row).toHaveAttribute('data-unsure', 'false');
    expect(row).toHaveTextContent('Face 1: Angry');
    expect(within(row).getByTestId('face-corrected')).toHaveTextContent('Changed by you');
    expect(within(row).getByTestId('face-model-reading')).toHaveTextContent('The model read Sad (30%)');
  });

  it('without a way to change faces the rows offer no picker', async () => {
    const task = doneTask([face({ scores: scoresFor('happy', 0.2) })]);
    renderWithProviders(<FaceResult task={task} />);
    expect(rows()[0]).not.toHaveAttribute('aria-haspopup');
    expect(within(rows()[0]).getByTestId('face-unsure')).toHaveTextContent(/^Not sure$/);
    await userEvent.click(rows()[0]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('FaceResult picker', () => {
  it('offers the seven template emoji and "no emoji here", named per face, the current one marked', async () => {
    renderWithProviders(<Harness initial={doneTask([face(), face({ expression: 'sad' })])} />);
    expect(rows()[1]).toHaveAttribute('aria-haspopup', 'dialog');
    await userEvent.click(rows()[1]);
    const dialog = await screen.findByRole('dialog', { name: 'Face 2: which emoji fits?' });
    const names = within(dialog)
      .getAllByRole('button')
      .map((b) => b.getAttribute('aria-label') ?? b.textContent);
    expect(names).toEqual([
      'Face 2: choose Angry',
      'Face 2: choose Disgust',
      'Face 2: choose Fear',
      'Face 2: choose Happy',
      'Face 2: choose Sad',
      'Face 2: choose Surprise',
      'Face 2: choose Neutral',
      'Face 2: no emoji here',
      'Cancel',
    ]);
    const current = within(dialog).getByRole('button', { name: 'Face 2: choose Sad' });
    expect(current).toHaveAttribute('aria-current', 'true');
    expect(current).toHaveFocus();
    expect(within(dialog).getByRole('button', { name: 'Face 2: choose Angry' })).not.toHaveAttribute('aria-current');
    expect(within(dialog).getByTestId('pick-fear').querySelector('img')).toHaveAttribute('src', '/media/emojis/7/fear.png');
    expect(dialog).toHaveTextContent('The model read Sad (90%)');
    // The face being changed is marked on the picture.
    expect(screen.getByTestId('face-box')).toBeInTheDocument();
  });

  it('choosing an emoji sends the PATCH, shows progress, then swaps the picture and marks the face', async () => {
    const { fetchMock, answer } = deferredFetch();
    renderWithProviders(<Harness initial={doneTask([face({ scores: scoresFor('happy', 0.9) })])} />);
    await userEvent.click(rows()[0]);
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Face 1: choose Sad' }));

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const call = patchCall(fetchMock);
    expect(call.url).toBe('/api/v1/faces/tasks/t1/faces/0');
    expect(call.method).toBe('PATCH');
    expect(call.body).toEqual({ expression: 'sad' });
    expect(call.headers['Content-Type']).toBe('application/json');

    // While the server works: the picture and the row show progress.
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('result-picture')).toHaveAttribute('data-busy', 'true');
    expect(screen.getByRole('progressbar', { name: 'Updating the picture…' })).toBeInTheDocument();
    expect(rows()[0]).toHaveAttribute('data-busy', 'true');
    expect(rows()[0]).toHaveAttribute('aria-busy', 'true');
    expect(screen.getByTestId('fix-status')).toHaveTextContent('Changing face 1…');
    expect(rows()[0]).toHaveFocus();

    const updated = doneTask(
      [
        face({
          expression: 'sad',
          predicted: 'happy',
          corrected: true,
          scores: scoresFor('happy', 0.9),
          emoji_url: '/media/emojis/7/sad.png',
        }),
      ],
      { result_url: '/media/results/t1-v2.jpg', thumbnail_url: '/media/thumbnails/t1-v2.jpg' },
    );
    await answer(jsonResponse(updated));

    const img = screen.getByTestId('result-image');
    expect(img).toHaveAttribute('src', '/media/results/t1-v2.jpg');
    // Still marked busy until the new picture has loaded.
    expect(screen.getByTestId('result-picture')).toHaveAttribute('data-busy', 'true');
    fireEvent.load(img);
    expect(screen.getByTestId('result-picture')).toHaveAttribute('data-busy', 'false');
    expect(screen.queryByRole('progressbar')).toBeNull();

    const [row] = rows();
    expect(row).toHaveAttribute('data-expression', 'sad');
    expect(row).toHaveAttribute('data-corrected', 'true');
    expect(row).toHaveAttribute('data-busy', 'false');
    expect(row).toHaveTextContent('Face 1: Sad');
    expect(row).toHaveTextContent('Changed by you');
    expect(row).toHaveTextContent('The model read Happy (90%)');
    expect(row.querySelector('img')).toHaveAttribute('src', '/media/emojis/7/sad.png');
    expect(screen.getByTestId('fix-status')).toHaveTextContent('Face 1 is now Sad.');
  });

  it('works from the keyboard and gives the focus back to the face row', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch');
    renderWithProviders(<Harness initial={doneTask([face(), face({ expression: 'angry' })])} />);
    const row = rows()[1];
    act(() => row.focus());
    await userEvent.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Face 2: choose Angry' })).toHaveFocus();
    await userEvent.tab();
    expect(within(dialog).getByRole('button', { name: 'Face 2: choose Disgust' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(row).toHaveFocus();

    // Cancel too, and choosing the current emoji changes nothing.
    await userEvent.keyboard('{Enter}');
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(row).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await userEvent.keyboard('{Enter}'); // on the current choice, which has the focus
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(row).toHaveFocus();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('"no emoji here" hides the face, and choosing an emoji shows it again', async () => {
    const fetchMock = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValueOnce(
        jsonResponse(doneTask([face({ hidden: true, corrected: true })], { result_url: '/media/results/t1-v2.jpg' })),
      )
      .mockResolvedValueOnce(
        jsonResponse(
          doneTask([face({ expression: 'angry', predicted: 'happy', corrected: true })], {
            result_url: '/media/results/t1-v3.jpg',
          }),
        ),
      );
    renderWithProviders(<Harness initial={doneTask([face()])} />);
    await userEvent.click(rows()[0]);
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Face 1: no emoji here' }));
    await waitFor(() => expect(rows()[0]).toHaveAttribute('data-hidden', 'true'));
    expect(patchCall(fetchMock, 0).body).toEqual({ hidden: true });
    expect(rows()[0]).toHaveTextContent('Face 1: No emoji (face left as it is)');
    expect(screen.getByTestId('fix-status')).toHaveTextContent('Face 1 now has no emoji.');

    await userEvent.click(rows()[0]);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Face 1: no emoji here' })).toHaveAttribute('aria-current', 'true');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Face 1: choose Angry' }));
    await waitFor(() => expect(rows()[0]).toHaveAttribute('data-hidden', 'false'));
    expect(patchCall(fetchMock, 1).body).toEqual({ expression: 'angry', hidden: false });
    expect(rows()[0]).toHaveTextContent('Face 1: Angry');
  });

  it.each([
    ['original_expired', /uploaded photo was deleted after its retention period/],
    ['template_deleted', /the template was deleted/],
  ])('410 %s says why no fix is possible any more, and faces stop offering the picker', async (code, text) => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      jsonResponse({ error: { code, message: 'Gone' } }, 410),
    );
    renderWithProviders(<Harness initial={doneTask([face({ scores: scoresFor('happy', 0.2) })])} />);
    await userEvent.click(rows()[0]);
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Face 1: choose Fear' }));
    const alert = await screen.findByTestId('fix-error');
    expect(alert).toHaveTextContent(text);
    expect(alert).toHaveTextContent('can no longer be changed');
    expect(screen.getByTestId('result-picture')).toHaveAttribute('data-busy', 'false');
    expect(rows()[0]).toHaveAttribute('data-expression', 'happy');
    expect(rows()[0]).not.toHaveAttribute('aria-haspopup');
    expect(within(rows()[0]).getByTestId('face-unsure')).toHaveTextContent(/^Not sure$/);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await userEvent.click(rows()[0]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('other refusals use the usual error sentences and the face can be tried again', async () => {
    const fetchMock = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValueOnce(jsonResponse({ error: { code: 'busy', message: 'Busy' } }, 503, { 'Retry-After': '4' }))
      .mockResolvedValueOnce(
        jsonResponse({ error: { code: 'task_not_done', message: 'The task is not done yet.' } }, 409),
      );
    renderWithProviders(<Harness initial={doneTask([face()])} />);
    await userEvent.click(rows()[0]);
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Face 1: choose Sad' }));
    expect(await screen.findByTestId('fix-error')).toHaveTextContent(
      'Could not change face 1. The server is busy right now. Please try again in 4 s.',
    );
    await userEvent.click(rows()[0]);
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Face 1: choose Sad' }));
    await waitFor(() =>
      expect(screen.getByTestId('fix-error')).toHaveTextContent('Could not change face 1. The task is not done yet.'),
    );
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('without the template the picker still offers the seven expressions by name', async () => {
    renderWithProviders(<Harness initial={doneTask([face()], { emoji_id: null })} emoji={null} />);
    await userEvent.click(rows()[0]);
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Face 1: choose Neutral' })).toHaveTextContent('Neutral');
    expect(dialog.querySelectorAll('img')).toHaveLength(0);
  });
});
