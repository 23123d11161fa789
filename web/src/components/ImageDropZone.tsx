import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { useId, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useT } from '../i18n/I18nProvider';

interface Props {
  label: string;
  accept: string;
  previewUrl: string | null;
  previewAlt: string;
  error?: string | null;
  hint?: ReactNode;
  disabled?: boolean;
  onFile: (file: File) => void;
  testId: string;
  compact?: boolean;
}

/**
 * A drop target with a real file input behind a visible button, so it works
 * with mouse, touch, drag-and-drop and keyboard alike.
 */
export function ImageDropZone({ label, accept, previewUrl, previewAlt, error, hint, disabled, onFile, testId, compact }: Props) {
  const t = useT();
  const inputRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const id = useId();

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    const file = e.dataTransfer.files?.[0];
    if (file) onFile(file);
  };

  return (
    <Box
      data-testid={testId}
      onDragOver={(e) => {
        e.preventDefault();
        if (!disabled) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      sx={{
        border: 2,
        borderStyle: 'dashed',
        borderColor: error ? 'error.main' : over ? 'primary.main' : 'grey.500',
        bgcolor: over ? 'action.hover' : 'background.paper',
        borderRadius: 2,
        p: compact ? 1 : 2,
        textAlign: 'center',
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        gap: 1,
      }}
    >
      <Typography component="label" htmlFor={id} sx={{ fontWeight: 600 }}>
        {label}
      </Typography>
      {previewUrl ? (
        <Box
          component="img"
          src={previewUrl}
          alt={previewAlt}
          data-testid={`${testId}-preview`}
          sx={{ maxWidth: '100%', maxHeight: compact ? 96 : 320, objectFit: 'contain', borderRadius: 1 }}
        />
      ) : (
        <UploadFileIcon aria-hidden sx={{ fontSize: compact ? 32 : 48, color: 'text.secondary' }} />
      )}
      <input
        ref={inputRef}
        id={id}
        type="file"
        accept={accept}
        disabled={disabled}
        data-testid={`${testId}-input`}
        aria-describedby={error ? `${id}-err` : undefined}
        aria-invalid={error ? true : undefined}
        style={{ position: 'absolute', width: 1, height: 1, opacity: 0, overflow: 'hidden', pointerEvents: 'none' }}
        tabIndex={-1}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
      <Button
        variant="outlined"
        size="small"
        disabled={disabled}
        onClick={() => inputRef.current?.click()}
        aria-label={`${previewUrl ? t('upload.change') : t('upload.choose')}: ${label}`}
      >
        {previewUrl ? t('upload.change') : t('upload.choose')}
      </Button>
      {!compact && (
        <Typography variant="body2" color="text.secondary">
          {t('upload.dropHint')}
        </Typography>
      )}
      {hint}
      {error && (
        <Typography variant="body2" color="error" id={`${id}-err`} role="alert" data-testid={`${testId}-error`}>
          {error}
        </Typography>
      )}
    </Box>
  );
}
