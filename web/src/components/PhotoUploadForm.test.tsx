import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { SiteConfig } from '../api/types';
import { siteConfig } from '../test/fixtures';
import { fakeFile, renderWithProviders } from '../test/utils';
import { PhotoUploadForm, QUEUE_FULL_RETRIES } from './PhotoUploadForm';

const MiB = 1024 * 1024;

beforeEach(() => {
  // jsdom has no object URLs.
  URL.createObjectURL = vi.fn(() => 'blob:preview');
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(api, 'siteConfig').mockResolvedValue(siteConfig());
});

function pick(file: File) {
  fireEvent.change(screen.getByTestId('photo-input'), { target: { files: [file] } });
}

describe('PhotoUploadForm', () => {
  it('rejects a non-image file with a message and keeps submit disabled', async () => {
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    pick(fakeFile('notes.txt', 'text/plain'));
    expect(await screen.findByTestId('photo-error')).toHaveTextContent(/not a supported image/i);
    expect(screen.getByTestId('upload-submit')).toBeDisabled();
  });

  it('rejects a photo one byte over the server\'s limit before uploading', async () => {
    const upload = vi.spyOn(api, 'uploadFace');
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    pick(fakeFile('big.jpg', 'image/jpeg', 15 * MiB + 1));
    expect(await screen.findByTestId('photo-error')).toHaveTextContent('That photo is too large (max 15.0 MB).');
    expect(upload).not.toHaveBeenCalled();
  });

  it('refuses a BMP, naming the formats the server takes', async () => {
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    await screen.findByText(/^JPEG, PNG, WebP or GIF, up to 15\.0 MB\./);
    pick(fakeFile('old.bmp', 'image/bmp'));
    expect(await screen.findByTestId('photo-error')).toHaveTextContent(
      'That file is not a supported image (JPEG, PNG, WebP or GIF).',
    );
    expect(screen.queryByTestId('photo-preview')).toBeNull();
  });

  it('says what the server accepts, from its config', async () => {
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    expect(
      await screen.findByText('JPEG, PNG, WebP or GIF, up to 15.0 MB. You can also paste an image (Ctrl+V).'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('photo-input')).toHaveAttribute('accept', 'image/jpeg,image/png,image/webp,image/gif');
  });

  it('follows a server configured otherwise', async () => {
    const config = siteConfig();
    config.photo = { ...config.photo, media_types: ['image/png'], max_bytes: 4 * MiB };
    vi.mocked(api.siteConfig).mockResolvedValue(config);
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    expect(await screen.findByText(/^PNG, up to 4\.0 MB\./)).toBeInTheDocument();
    pick(fakeFile('me.jpg', 'image/jpeg'));
    expect(await screen.findByTestId('photo-error')).toHaveTextContent('(PNG)');
  });

  it('lets the server decide while the config is loading, and judges the photo once it arrives', async () => {
    let answer: (config: SiteConfig) => void = () => undefined;
    vi.mocked(api.siteConfig).mockReturnValue(new Promise((resolve) => (answer = resolve)));
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    // No limits are made up meanwhile: no sizes or formats in the hint, any file goes.
    expect(screen.getByText('You can also paste an image (Ctrl+V).')).toBeInTheDocument();
    expect(screen.getByTestId('photo-input')).toHaveAttribute('accept', 'image/*');
    pick(fakeFile('old.bmp', 'image/bmp'));
    expect(await screen.findByTestId('photo-preview')).toBeInTheDocument();
    expect(screen.queryByTestId('photo-error')).toBeNull();
    expect(screen.getByTestId('upload-submit')).toBeEnabled();

    answer(siteConfig());
    expect(await screen.findByTestId('photo-error')).toHaveTextContent('not a supported image (JPEG, PNG, WebP or GIF)');
    await waitFor(() => expect(screen.queryByTestId('photo-preview')).toBeNull());
    expect(screen.getByTestId('upload-submit')).toBeDisabled();
  });

  it('uploads anything when the config cannot be had; the server\'s answer decides', async () => {
    vi.mocked(api.siteConfig).mockRejectedValue(new ApiError(500, { code: 'internal', message: 'x' }));
    const upload = vi
      .spyOn(api, 'uploadFace')
      .mockRejectedValue(new ApiError(413, { code: 'payload_too_large', message: 'x' }));
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    await waitFor(() => expect(api.siteConfig).toHaveBeenCalled());
    pick(fakeFile('huge.jpg', 'image/jpeg', 40 * MiB));
    await userEvent.click(await screen.findByTestId('upload-submit'));
    expect(await screen.findByTestId('upload-error')).toHaveTextContent(/too large for the server/i);
    expect(upload).toHaveBeenCalledTimes(1);
    expect(screen.getByText('You can also paste an image (Ctrl+V).')).toBeInTheDocument();
  });

  it('uploads a valid photo with emoji_id and reports the task id', async () => {
    const onUploaded = vi.fn();
    const upload = vi.spyOn(api, 'uploadFace').mockImplementation(async (_form, opts) => {
      opts?.onProgress?.(0.5);
      return { task_id: 'abc', status: 'queued', status_url: '/api/v1/faces/tasks/abc' };
    });
    renderWithProviders(<PhotoUploadForm emojiId={42} onUploaded={onUploaded} />);
    pick(fakeFile('me.jpg', 'image/jpeg'));
    expect(await screen.findByTestId('photo-preview')).toHaveAttribute('alt', 'Preview of the chosen photo');
    await userEvent.click(screen.getByTestId('upload-submit'));
    await waitFor(() => expect(onUploaded).toHaveBeenCalledWith('abc'));
    const form = upload.mock.calls[0][0];
    expect(form.get('emoji_id')).toBe('42');
    expect((form.get('image') as File).name).toBe('me.jpg');
  });

  it.each([
    [new ApiError(413, { code: 'payload_too_large', message: 'x' }), /too large for the server/i],
    [new ApiError(415, { code: 'unsupported_media_type', message: 'x' }), /does not look like an image/i],
    [new ApiError(503, { code: 'busy', message: 'x' }, 12), /busy.*12 s/i],
    [new ApiError(429, { code: 'rate_limited', message: 'x' }, 4), /busy.*4 s/i],
  ])('maps server error %s to a human message and stays usable', async (err, text) => {
    vi.spyOn(api, 'uploadFace').mockRejectedValue(err);
    const onUploaded = vi.fn();
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={onUploaded} />);
    pick(fakeFile('me.png', 'image/png'));
    await userEvent.click(await screen.findByTestId('upload-submit'));
    expect(await screen.findByTestId('upload-error')).toHaveTextContent(text);
    expect(onUploaded).not.toHaveBeenCalled();
    // Still usable: the photo is kept and the button works again.
    expect(screen.getByTestId('upload-submit')).toBeEnabled();
  });

  it('sends an upload refused by a full queue again after Retry-After', async () => {
    const full = new ApiError(503, { code: 'queue_full', message: 'x' }, 0);
    const upload = vi
      .spyOn(api, 'uploadFace')
      .mockRejectedValueOnce(full)
      .mockRejectedValueOnce(full)
      .mockResolvedValueOnce({ task_id: 'later', status: 'queued', status_url: '/api/v1/faces/tasks/later' });
    const onUploaded = vi.fn();
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={onUploaded} />);
    pick(fakeFile('me.png', 'image/png'));
    await userEvent.click(await screen.findByTestId('upload-submit'));
    await waitFor(() => expect(onUploaded).toHaveBeenCalledWith('later'));
    expect(upload).toHaveBeenCalledTimes(3);
    expect(screen.queryByTestId('upload-error')).not.toBeInTheDocument();
  });

  it('gives up on a queue that stays full and says so', async () => {
    const upload = vi
      .spyOn(api, 'uploadFace')
      .mockRejectedValue(new ApiError(503, { code: 'queue_full', message: 'x' }, 0));
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    pick(fakeFile('me.png', 'image/png'));
    await userEvent.click(await screen.findByTestId('upload-submit'));
    expect(await screen.findByTestId('upload-error')).toHaveTextContent(/busy/i);
    expect(upload).toHaveBeenCalledTimes(QUEUE_FULL_RETRIES + 1);
    expect(screen.getByTestId('upload-submit')).toBeEnabled();
  });

  it('accepts a pasted image', async () => {
    renderWithProviders(<PhotoUploadForm emojiId={1} onUploaded={vi.fn()} />);
    const file = fakeFile('pasted.png', 'image/png');
    const event = new Event('paste', { bubbles: true, cancelable: true }) as Event & { clipboardData: unknown };
    event.clipboardData = { items: [{ kind: 'file', type: 'image/png', getAsFile: () => file }], files: [file] };
    fireEvent(window, event);
    expect(await screen.findByTestId('photo-preview')).toBeInTheDocument();
  });
});
