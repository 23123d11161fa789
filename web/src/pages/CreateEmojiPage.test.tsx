import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { EXPRESSIONS, type Emoji } from '../api/types';
import { fakeFile, renderWithProviders } from '../test/utils';
import CreateEmojiPage, { validateTemplateForm } from './CreateEmojiPage';

beforeEach(() => {
  URL.createObjectURL = vi.fn(() => 'blob:x');
  URL.revokeObjectURL = vi.fn();
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

  it('rejects wrong type and >2 MB files per slot', async () => {
    renderWithProviders(<CreateEmojiPage />);
    fireEvent.change(screen.getByTestId('slot-angry-input'), { target: { files: [fakeFile('a.bmp', 'image/bmp')] } });
    expect(await screen.findByTestId('slot-angry-error')).toHaveTextContent('PNG, JPEG, WebP or GIF');
    fireEvent.change(screen.getByTestId('slot-sad-input'), {
      target: { files: [fakeFile('s.png', 'image/png', 3 * 1024 * 1024)] },
    });
    expect(await screen.findByTestId('slot-sad-error')).toHaveTextContent('larger than 2 MB');
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
});
