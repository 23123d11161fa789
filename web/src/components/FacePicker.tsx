import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FaceRetouchingOffIcon from '@mui/icons-material/FaceRetouchingOff';
import { useId } from 'react';
import { EXPRESSIONS, type Emoji, type Expression, type Face, type FaceFix } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';
import { expressionScore, modelReading } from '../lib/faces';

interface Props {
  open: boolean;
  /** 0-based index of the face being changed (kept while the dialog fades out). */
  index: number;
  face: Face;
  /** The template, for its seven images; without it the choices are names only. */
  emoji: Emoji | null;
  onChoose: (fix: FaceFix) => void;
  onClose: () => void;
}

/**
 * The seven emoji of the template plus "no emoji here", for one face. Each
 * choice is a real button named "Face 1: choose Angry"; the current one has
 * the focus when the dialog opens and is marked with aria-current.
 */
export function FacePicker({ open, index, face, emoji, onChoose, onClose }: Props) {
  const { t, lang } = useI18n();
  const id = useId();
  const n = index + 1;
  const current: Expression | 'none' = face.hidden ? 'none' : face.expression;
  const fmtPct = (v: number) => (v * 100).toLocaleString(lang, { maximumFractionDigits: 1 }) + '%';
  const reading = modelReading(face);
  const readingScore = expressionScore(face, reading);

  const choose = (choice: Expression | 'none') => {
    if (choice === current) {
      onClose();
      return;
    }
    if (choice === 'none') onChoose({ hidden: true });
    else onChoose(face.hidden ? { expression: choice, hidden: false } : { expression: choice });
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="xs"
      // FaceResult puts the focus back on the face's row itself.
      disableRestoreFocus
      aria-labelledby={`${id}-t`}
      aria-describedby={readingScore !== null ? `${id}-d` : undefined}
      data-testid="face-picker"
    >
      <DialogTitle id={`${id}-t`}>{t('fix.title', { n })}</DialogTitle>
      <DialogContent>
        {readingScore !== null && (
          <DialogContentText id={`${id}-d`} sx={{ mb: 2 }}>
            {t('fix.help', { expr: t(`expr.${reading}`), pct: fmtPct(readingScore) })}
          </DialogContentText>
        )}
        <Box
          sx={{
            display: 'grid',
            // Three a row on phones, so "Surprise" and "Disgust" fit unbroken.
            gridTemplateColumns: { xs: 'repeat(3, minmax(0, 1fr))', sm: 'repeat(4, minmax(0, 1fr))' },
            gap: 1,
          }}
        >
          {EXPRESSIONS.map((ex) => {
            const isCurrent = current === ex;
            const src = emoji ? (emoji.images?.[ex] ?? emoji.preview_url) : null;
            return (
              <Button
                key={ex}
                onClick={() => choose(ex)}
                variant={isCurrent ? 'contained' : 'outlined'}
                aria-label={t('fix.choose', { n, expr: t(`expr.${ex}`) })}
                aria-current={isCurrent ? 'true' : undefined}
                autoFocus={isCurrent}
                data-testid={`pick-${ex}`}
                sx={{ flexDirection: 'column', gap: 0.5, px: 0.5, py: 1, minWidth: 0, textTransform: 'none' }}
              >
                {src && (
                  <Box
                    component="img"
                    src={src}
                    alt=""
                    sx={{ width: 48, height: 48, objectFit: 'contain', display: 'block' }}
                  />
                )}
                <Box component="span" sx={{ fontSize: '0.8rem', lineHeight: 1.2 }}>
                  {t(`expr.${ex}`)}
                </Box>
                {isCurrent && (
                  <Box component="span" sx={{ fontSize: '0.7rem', lineHeight: 1.1 }}>
                    {t('fix.current')}
                  </Box>
                )}
              </Button>
            );
          })}
        </Box>
        <Button
          onClick={() => choose('none')}
          variant={current === 'none' ? 'contained' : 'outlined'}
          aria-label={t('fix.chooseNone', { n })}
          aria-current={current === 'none' ? 'true' : undefined}
          autoFocus={current === 'none'}
          startIcon={<FaceRetouchingOffIcon />}
          fullWidth
          data-testid="pick-none"
          sx={{ mt: 1, textTransform: 'none' }}
        >
          {t('fix.none')}
          {current === 'none' ? ` · ${t('fix.current')}` : ''}
        </Button>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="picker-cancel">
          {t('common.cancel')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
