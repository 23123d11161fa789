import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { EXPRESSIONS, type Emoji, type SiteConfig } from '../api/types';
import { siteConfig } from '../test/fixtures';
import { fakeFile, renderWithProviders } from '../test/utils';
import CreateEmojiPage, { validateTemplateForm } from './CreateEmojiPage';

beforeEach(() => {
  URL.createObjectURL = vi.fn(() => 'blob:x');
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(api, 'siteConfig').mockResolvedValue(siteConfig());
});

function fillAll() {
  for (const ex of EXPRESSIONS) {
    fireEvent.change(screen.getByTestId(`slot-${ex}-input`), { target: { files: [fakeFile(`${ex}.png`, 'image/png')] } });
  }
}

describe('validateTemplateForm', () => {
  it('requires a name and all seven images', () => {
    const errs = validateTemplateForm({ name: ' ', description: '', visibility: 'public', files: {} });
    expect(errs.name).toBe('v.required');
    for (const ex of EXPRESSIONS) expect(errs[ex]).toBe('v.imageRequired');
  });

  it('checks the images against the server\'s limits when it has them', () => {
    const files = Object.fromEntries(EXPRESSIONS.map((ex) => [ex, fakeFile(`${ex}.png`, 'image/png')]));
    files.sad = fakeFile('sad.bmp', 'image/bmp');
    const v = { name: 'Cats', description: '', visibility: 'public' as const, files };
    expect(validateTemplateForm(v, siteConfig().template_image)).toEqual({ sad: 'v.imageType' });
    expect(validateTemplateForm(v)).toEqual({});
  });
});

describe('CreateEmojiPage', () => {
  it('shows an error for every missing slot on submit and does not upload', async () => {
    const create = vi.spyOn(api, 'createEmoji');
    renderWithProviders(<CreateEmojiPage />);
    await userEvent.click(screen.getByTestId('create-submit'));
    expect(await screen.findByTestId('create-error')).toHaveTextContent('Please fix the 8 problems below.');
    for (const ex of EXPRESSIONS) {
      expect(screen.getByTestId(`slot-${ex}-error`)).toHaveTextContent('Add an image for this expression.');
    }
    expect(create).not.toHaveBeenCalled();
  });

  it('says what the server accepts for each image, from its config', async () => {
    renderWithProviders(<CreateEmojiPage />);
    expect(
      await screen.findByText('JPEG, PNG, WebP or GIF, each up to 2.0 MB and 2048 × 2048 pixels. Square images look best.'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('slot-happy-input')).toHaveAttribute('accept', 'image/jpeg,image/png,image/webp,image/gif');
  });

  it('rejects wrong type and files over the server\'s limit per slot', async () => {
    renderWithProviders(<CreateEmojiPage />);
    await screen.findByText(/each up to 2\.0 MB/);
    fireEvent.change(screen.getByTestId('slot-angry-input'), { target: { files: [fakeFile('a.bmp', 'image/bmp')] } });
    expect(await screen.findByTestId('slot-angry-error')).toHaveTextContent('Use a JPEG, PNG, WebP or GIF image.');
    fireEvent.change(screen.getByTestId('slot-sad-input'), {
      target: { files: [fakeFile('s.png', 'image/png', 2 * 1024 * 1024 + 1)] },
    });
    expect(await screen.findByTestId('slot-sad-error')).toHaveTextContent('This image is larger than 2.0 MB.');
    // A good file clears the slot error.
    fireEvent.change(screen.getByTestId('slot-angry-input'), { target: { files: [fakeFile('a.png', 'image/png')] } });
    await waitFor(() => expect(screen.queryByTestId('slot-angry-error')).toBeNull());
    expect(screen.getByTestId('slot-angry-preview')).toHaveAttribute('alt', 'Preview for Angry');
  });

  it('submits all fields and seven files, and maps server field errors to slots', async () => {
    const create = vi.spyOn(api, 'createEmoji').mockRejectedValueOnce(
      new ApiError(422, { code: 'validation_failed', message: 'Invalid', fields: { fear: 'not a valid image' } }),
    );
    renderWithProviders(<CreateEmojiPage />);
    fireEvent.change(screen.getByTestId('create-name'), { target: { value: 'My cats' } });
    fillAll();
    await userEvent.click(within(screen.getByTestId('visibility-private')).getByRole('radio'));
    await userEvent.click(screen.getByTestId('create-submit'));
    expect(await screen.findByTestId('slot-fear-error')).toHaveTextContent('not a valid image');
    const form = create.mock.calls[0][0];
    expect(form.get('name')).toBe('My cats');
    expect(form.get('visibility')).toBe('private');
    for (const ex of EXPRESSIONS) expect((form.get(ex) as File).name).toBe(`${ex}.png`);

    create.mockResolvedValueOnce({ id: 77 } as Emoji);
    await userEvent.click(screen.getByTestId('create-submit'));
    await waitFor(() => expect(create).toHaveBeenCalledTimes(2));
  });

  it('takes any image while the config is loading, and judges it once the config arrives', async () => {
    let answer: (config: SiteConfig) => void = () => undefined;
    vi.mocked(api.siteConfig).mockReturnValue(new Promise((resolve) => (answer = resolve)));
    renderWithProviders(<CreateEmojiPage />);
    expect(screen.getByText('Square images look best.')).toBeInTheDocument();
    fireEvent.change(screen.getByTestId('slot-fear-input'), { target: { files: [fakeFile('f.bmp', 'image/bmp')] } });
    expect(await screen.findByTestId('slot-fear-preview')).toBeInTheDocument();
    expect(screen.queryByTestId('slot-fear-error')).toBeNull();

    answer(siteConfig());
    expect(await screen.findByTestId('slot-fear-error')).toHaveTextContent('Use a JPEG, PNG, WebP or GIF image.');
    await waitFor(() => expect(screen.queryByTestId('slot-fear-preview')).toBeNull());
  });

  it('says the name limit the server has', async () => {
    renderWithProviders(<CreateEmojiPage />);
    fireEvent.change(screen.getByTestId('create-name'), { target: { value: 'n'.repeat(61) } });
    await userEvent.click(screen.getByTestId('create-submit'));
    expect(await screen.findByText('Use at most 60 characters.')).toBeInTheDocument();
  });
});
