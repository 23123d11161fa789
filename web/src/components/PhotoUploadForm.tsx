import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import CloudUploadIcon from '@mui/icons-material/CloudUpload';
import ContentPasteIcon from '@mui/icons-material/ContentPaste';
import PhotoCameraIcon from '@mui/icons-material/PhotoCamera';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { useT } from '../i18n/I18nProvider';
import { describeUploadError } from '../lib/errors';
import { useObjectUrl } from '../lib/useObjectUrl';
import { useSiteConfig } from '../lib/useSiteConfig';
import { imageLimitParams, validatePhoto } from '../lib/validation';
import { ImageDropZone } from './ImageDropZone';
import { WebcamDialog } from './WebcamDialog';

/** Uploads refused by a full queue that are sent again on their own before the error shows. */
export const QUEUE_FULL_RETRIES = 5;

function queueFullRetryAfter(error: unknown): number | null {
  return error instanceof ApiError && error.status === 503 && error.code === 'queue_full'
    ? (error.retryAfter ?? 1)
    : null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

interface Props {
  emojiId: number;
  /** The share token of someone else's private template, from its link. */
  share?: string | null;
  onUploaded: (taskId: string) => void;
}

function imageFromClipboardData(data: DataTransfer | null): File | null {
  if (!data) return null;
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === 'file' && item.type.startsWith('image/')) {
      const f = item.getAsFile();
      if (f) return f;
    }
  }
  return data.files?.[0] ?? null;
}

/** Pick (file, drop, paste, webcam) → preview → upload with progress. */
export function PhotoUploadForm({ emojiId, share, onUploaded }: Props) {
  const t = useT();
  const [file, setFile] = useState<File | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [retryNotice, setRetryNotice] = useState<string | null>(null);
  const [cameraOpen, setCameraOpen] = useState(false);
  const [pasteMsg, setPasteMsg] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const previewUrl = useObjectUrl(file);
  const uploading = progress !== null;
  /** The server's photo limits; until they are known the server alone judges the file. */
  const limits = useSiteConfig()?.photo;

  const choose = useCallback(
    (f: File) => {
      setUploadError(null);
      const err = validatePhoto(f, limits);
      if (err) {
        setFieldError(t(err, limits && imageLimitParams(limits, t)));
        setFile(null);
        return;
      }
      setFieldError(null);
      setFile(f);
    },
    [t, limits],
  );

  // A photo chosen before the limits arrived is judged again once they do.
  useEffect(() => {
    if (!uploading && file && validatePhoto(file, limits)) choose(file);
  }, [uploading, file, limits, choose]);

  // Ctrl+V / ⌘V anywhere on the page.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      if (uploading) return;
      const f = imageFromClipboardData(e.clipboardData);
      if (f) {
        e.preventDefault();
        choose(f);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [choose, uploading]);

  useEffect(() => () => abortRef.current?.abort(), []);

  const pasteButton = async () => {
    setPasteMsg(null);
    try {
      if (!navigator.clipboard?.read) throw new Error('unsupported');
      const items = await navigator.clipboard.read();
      for (const item of items) {
        const type = item.types.find((ty) => ty.startsWith('image/'));
        if (type) {
          const blob = await item.getType(type);
          choose(new File([blob], `pasted.${type.split('/')[1]}`, { type }));
          return;
        }
      }
      setPasteMsg(t('upload.pasteEmpty'));
    } catch {
      setPasteMsg(t('upload.pasteUnsupported'));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setUploadError(null);
    const err = validatePhoto(file, limits);
    if (err || !file) {
      setFieldError(t(err ?? 'v.photoRequired', limits && imageLimitParams(limits, t)));
      return;
    }
    const form = new FormData();
    form.append('image', file, file.name || 'photo');
    form.append('emoji_id', String(emojiId));
    if (share) form.append('share', share);
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setProgress(0);
    try {
      // A full queue is the server pacing uploads: wait as it asks and send again.
      for (let retries = 0; ; retries++) {
        try {
          const created = await api.uploadFace(form, { onProgress: setProgress, signal: ctrl.signal });
          onUploaded(created.task_id);
          return;
        } catch (ex) {
          if (ctrl.signal.aborted) return;
          const seconds = queueFullRetryAfter(ex);
          if (seconds === null || retries >= QUEUE_FULL_RETRIES) {
            setUploadError(describeUploadError(ex, t));
            return;
          }
          setRetryNotice(t('use.queueFullRetrying', { seconds }));
          await sleep(seconds * 1000, ctrl.signal);
          if (ctrl.signal.aborted) return;
          setRetryNotice(null);
          setProgress(0);
        }
      }
    } finally {
      setRetryNotice(null);
      setProgress(null);
    }
  };

  return (
    <Box component="form" onSubmit={submit} noValidate data-testid="photo-form">
      <ImageDropZone
        label={t('use.photoLabel')}
        accept={limits ? limits.media_types.join(',') : 'image/*'}
        previewUrl={previewUrl}
        previewAlt={t('use.previewAlt')}
        error={fieldError}
        disabled={uploading}
        onFile={choose}
        testId="photo"
        hint={
          <Typography variant="body2" color="text.secondary">
            {limits ? t('use.photoHint', imageLimitParams(limits, t)) : t('use.photoHintNoLimits')}
          </Typography>
        }
      />
      <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: 'wrap', rowGap: 1 }}>
        <Button startIcon={<PhotoCameraIcon />} onClick={() => setCameraOpen(true)} disabled={uploading} data-testid="open-camera">
          {t('use.camera')}
        </Button>
        <Button startIcon={<ContentPasteIcon />} onClick={pasteButton} disabled={uploading}>
          {t('use.paste')}
        </Button>
      </Stack>
      {pasteMsg && (
        <Typography variant="body2" role="status" sx={{ mt: 1 }}>
          {pasteMsg}
        </Typography>
      )}
      {uploadError && (
        <Alert severity="error" role="alert" sx={{ mt: 2 }} data-testid="upload-error">
          {uploadError}
        </Alert>
      )}
      {retryNotice && (
        <Alert severity="info" role="status" sx={{ mt: 2 }} data-testid="upload-retry-notice">
          {retryNotice}
        </Alert>
      )}
      {uploading && (
        <Box sx={{ mt: 2 }}>
          <Typography variant="body2" id="upload-progress-label">
            {t('use.uploading', { pct: Math.round((progress ?? 0) * 100) })}
          </Typography>
          <LinearProgress
            variant="determinate"
            value={Math.round((progress ?? 0) * 100)}
            aria-labelledby="upload-progress-label"
            data-testid="upload-progress"
          />
        </Box>
      )}
      <Button
        type="submit"
        variant="contained"
        size="large"
        startIcon={<CloudUploadIcon />}
        disabled={uploading || !file}
        sx={{ mt: 2 }}
        data-testid="upload-submit"
      >
        {t('use.submit')}
      </Button>
      <WebcamDialog open={cameraOpen} onClose={() => setCameraOpen(false)} onCapture={choose} />
    </Box>
  );
}
