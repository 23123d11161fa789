import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormLabel from '@mui/material/FormLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { EXPRESSIONS, type Expression, type TemplateImageUploads } from '../api/types';
import { ImageDropZone } from '../components/ImageDropZone';
import { useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { describeUploadError } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useObjectUrl } from '../lib/useObjectUrl';
import { useSiteConfig } from '../lib/useSiteConfig';
import {
  DESCRIPTION_MAX,
  imageLimitParams,
  NAME_MAX,
  validateDescription,
  validateTemplateImage,
  validateTemplateName,
} from '../lib/validation';

export type TemplateField = 'name' | 'description' | 'visibility' | Expression;

export interface TemplateValues {
  name: string;
  description: string;
  visibility: 'public' | 'private';
  files: Partial<Record<Expression, File>>;
}

/**
 * All client rules for the template form; empty object means valid. Without
 * the server's image limits only missing and empty images are refused.
 */
export function validateTemplateForm(
  v: TemplateValues,
  limits?: TemplateImageUploads,
): Partial<Record<TemplateField, MessageKey>> {
  const errors: Partial<Record<TemplateField, MessageKey>> = {};
  const n = validateTemplateName(v.name);
  if (n) errors.name = n;
  const d = validateDescription(v.description);
  if (d) errors.description = d;
  for (const ex of EXPRESSIONS) {
    const e = validateTemplateImage(v.files[ex], limits);
    if (e) errors[ex] = e;
  }
  return errors;
}

function Slot({
  expression,
  file,
  accept,
  error,
  disabled,
  onFile,
}: {
  expression: Expression;
  file: File | undefined;
  accept: string;
  error: string | null;
  disabled: boolean;
  onFile: (f: File) => void;
}) {
  const t = useT();
  const url = useObjectUrl(file ?? null);
  return (
    <ImageDropZone
      compact
      label={t(`expr.${expression}`)}
      accept={accept}
      previewUrl={url}
      previewAlt={t('create.slotPreview', { expr: t(`expr.${expression}`) })}
      error={error}
      disabled={disabled}
      onFile={onFile}
      testId={`slot-${expression}`}
    />
  );
}

export default function CreateEmojiPage() {
  const t = useT();
  useDocumentTitle(t('create.title'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [files, setFiles] = useState<Partial<Record<Expression, File>>>({});
  /** Errors shown: local message keys are translated on render, server ones kept as text. */
  const [errors, setErrors] = useState<Partial<Record<TemplateField, { key?: MessageKey; text?: string }>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const submitting = progress !== null;
  const errorSummaryRef = useRef<HTMLDivElement>(null);
  /** The server's limits for each image; until they are known the server alone judges them. */
  const limits = useSiteConfig()?.template_image;

  const msg = (f: TemplateField): string | null => {
    const e = errors[f];
    if (!e) return null;
    if (e.text) return e.text;
    if (!e.key) return null;
    if (f === 'name') return t(e.key, { max: NAME_MAX });
    if (f === 'description') return t(e.key, { max: DESCRIPTION_MAX });
    return t(e.key, limits && imageLimitParams(limits, t));
  };

  const setFile = (ex: Expression, f: File) => {
    const err = validateTemplateImage(f, limits);
    setErrors((s) => ({ ...s, [ex]: err ? { key: err } : undefined }));
    if (!err) setFiles((s) => ({ ...s, [ex]: f }));
  };

  // Images chosen before the limits arrived are judged again once they do.
  useEffect(() => {
    if (submitting) return;
    const refused: Partial<Record<Expression, { key: MessageKey }>> = {};
    for (const ex of EXPRESSIONS) {
      const f = files[ex];
      const key = f && validateTemplateImage(f, limits);
      if (key) refused[ex] = { key };
    }
    if (Object.keys(refused).length === 0) return;
    setErrors((s) => ({ ...s, ...refused }));
    setFiles((s) => Object.fromEntries(Object.entries(s).filter(([ex]) => !(ex in refused))));
  }, [files, limits, submitting]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const local = validateTemplateForm({ name, description, visibility, files }, limits);
    const keys = Object.keys(local) as TemplateField[];
    if (keys.length) {
      const next: typeof errors = {};
      for (const k of keys) next[k] = { key: local[k] };
      setErrors(next);
      setFormError(t('create.fixErrors', { n: keys.length }));
      requestAnimationFrame(() => errorSummaryRef.current?.focus());
      return;
    }
    setErrors({});
    const form = new FormData();
    form.append('name', name.trim());
    form.append('description', description.trim());
    form.append('visibility', visibility);
    for (const ex of EXPRESSIONS) form.append(ex, files[ex]!, files[ex]!.name);
    setProgress(0);
    try {
      const created = await api.createEmoji(form, { onProgress: setProgress });
      queryClient.invalidateQueries({ queryKey: ['emojis'] });
      queryClient.invalidateQueries({ queryKey: ['mypage'] });
      queryClient.setQueryData(['emoji', String(created.id), null], created);
      navigate(`/emojis/${created.id}`);
    } catch (ex) {
      if (ex instanceof ApiError && Object.keys(ex.fields).length) {
        const next: typeof errors = {};
        for (const [k, v] of Object.entries(ex.fields)) next[k as TemplateField] = { text: v };
        setErrors(next);
        setFormError(ex.message || t('err.validation'));
      } else {
        setFormError(describeUploadError(ex, t));
      }
      requestAnimationFrame(() => errorSummaryRef.current?.focus());
    } finally {
      setProgress(null);
    }
  };

  return (
    <Box component="form" onSubmit={submit} noValidate data-testid="create-form">
      <Typography variant="h1" component="h1" sx={{ mb: 1 }}>
        {t('create.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 3 }}>
        {t('create.help')}
      </Typography>
      {formError && (
        <Alert severity="error" role="alert" ref={errorSummaryRef} tabIndex={-1} sx={{ mb: 2 }} data-testid="create-error">
          {formError}
        </Alert>
      )}
      <Stack spacing={2} sx={{ maxWidth: 640, mb: 3 }}>
        <TextField
          label={t('field.name')}
          required
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setErrors((s) => ({ ...s, name: undefined }));
          }}
          error={!!msg('name')}
          helperText={msg('name') ?? ' '}
          slotProps={{ htmlInput: { 'data-testid': 'create-name' } }}
        />
        <TextField
          label={t('field.description')}
          multiline
          minRows={2}
          value={description}
          onChange={(e) => {
            setDescription(e.target.value);
            setErrors((s) => ({ ...s, description: undefined }));
          }}
          error={!!msg('description')}
          helperText={msg('description') ?? ' '}
          slotProps={{ htmlInput: { 'data-testid': 'create-description' } }}
        />
        <FormControl error={!!msg('visibility')}>
          <FormLabel id="visibility-label">{t('field.visibility')}</FormLabel>
          <RadioGroup
            row
            aria-labelledby="visibility-label"
            value={visibility}
            onChange={(e) => setVisibility(e.target.value as 'public' | 'private')}
          >
            <FormControlLabel value="public" control={<Radio />} label={t('emoji.public')} data-testid="visibility-public" />
            <FormControlLabel value="private" control={<Radio />} label={t('emoji.private')} data-testid="visibility-private" />
          </RadioGroup>
          {msg('visibility') && <Typography color="error" variant="body2">{msg('visibility')}</Typography>}
        </FormControl>
      </Stack>

      <Typography variant="h2" component="h2" sx={{ mb: 1 }}>
        {t('create.images')}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        {limits
          ? t('create.imagesHelp', { ...imageLimitParams(limits, t), side: limits.max_side })
          : t('create.imagesHelpNoLimits')}
      </Typography>
      <Box
        sx={{
          display: 'grid',
          gap: 1.5,
          gridTemplateColumns: { xs: 'repeat(2, 1fr)', sm: 'repeat(4, 1fr)', md: 'repeat(7, 1fr)' },
          mb: 3,
        }}
      >
        {EXPRESSIONS.map((ex) => (
          <Slot
            key={ex}
            expression={ex}
            file={files[ex]}
            accept={limits ? limits.media_types.join(',') : 'image/*'}
            error={msg(ex)}
            disabled={submitting}
            onFile={(f) => setFile(ex, f)}
          />
        ))}
      </Box>

      {submitting && (
        <Box sx={{ mb: 2 }}>
          <Typography variant="body2" id="create-progress-label">
            {t('use.uploading', { pct: Math.round((progress ?? 0) * 100) })}
          </Typography>
          <LinearProgress
            variant="determinate"
            value={Math.round((progress ?? 0) * 100)}
            aria-labelledby="create-progress-label"
          />
        </Box>
      )}
      <Button type="submit" variant="contained" size="large" disabled={submitting} data-testid="create-submit">
        {submitting ? t('common.working') : t('create.submit')}
      </Button>
    </Box>
  );
}
