import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import EditIcon from '@mui/icons-material/Edit';
import FaceRetouchingOffIcon from '@mui/icons-material/FaceRetouchingOff';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import type { Emoji, Face, FaceFix, Task } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';
import { describeFixError, isFinalFixError } from '../lib/errors';
import { expressionScore, isUnsure, modelReading } from '../lib/faces';
import { FacePicker } from './FacePicker';

/** Percent position of a face box, so it scales with the displayed image. */
export function boxToPercent(
  box: { x: number; y: number; width: number; height: number },
  imageWidth: number,
  imageHeight: number,
): { left: string; top: string; width: string; height: string } {
  const pct = (v: number, total: number) => `${((v / total) * 100).toFixed(3)}%`;
  return {
    left: pct(box.x, imageWidth),
    top: pct(box.y, imageHeight),
    width: pct(box.width, imageWidth),
    height: pct(box.height, imageHeight),
  };
}

const visuallyHidden = {
  border: 0,
  clip: 'rect(0 0 0 0)',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  padding: 0,
  position: 'absolute',
  whiteSpace: 'nowrap',
  width: '1px',
} as const;

// Both pairs are well above WCAG AA (4.5:1) for small bold text.
const markerSx = { display: 'inline-block', px: 0.75, borderRadius: 1, fontWeight: 600, mr: 0.75 } as const;
const unsureSx = { ...markerSx, bgcolor: '#fff3e0', color: '#7a3e00' } as const;
const correctedSx = { ...markerSx, bgcolor: '#ede7f6', color: '#4527a0' } as const;

interface Props {
  task: Task;
  /** The task's template, for the picker's images. */
  emoji?: Emoji | null;
  /** Given: each face opens a picker and a change replaces the task through this. */
  onTaskChange?: (task: Task) => void;
}

export function FaceResult({ task, emoji = null, onTaskChange }: Props) {
  const { t, lang } = useI18n();
  const [active, setActive] = useState<number | null>(null);
  const [picker, setPicker] = useState<{ index: number; open: boolean } | null>(null);
  const [pending, setPending] = useState<number | null>(null);
  /** A new result_url whose image has not loaded yet: the picture stays marked busy. */
  const [awaitingSrc, setAwaitingSrc] = useState<string | null>(null);
  const [fixError, setFixError] = useState<string | null>(null);
  /** After a 410 no change can succeed any more: faces stop offering the picker. */
  const [fixesGone, setFixesGone] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const rows = useRef<(HTMLDivElement | null)[]>([]);
  const focusRowAfterClose = useRef<number | null>(null);

  const w = task.image_width ?? 0;
  const h = task.image_height ?? 0;
  const fmtPct = (v: number) => (v * 100).toLocaleString(lang, { maximumFractionDigits: 1 }) + '%';
  const fixable = !!onTaskChange && task.status === 'done' && !fixesGone;
  const pictureBusy = pending !== null || awaitingSrc !== null;
  const marked = picker?.open ? picker.index : active;

  // Focus goes back to the face's row once the picker closed, however it closed.
  useEffect(() => {
    if (picker?.open) return;
    const i = focusRowAfterClose.current;
    focusRowAfterClose.current = null;
    if (i !== null) rows.current[i]?.focus();
  }, [picker?.open]);

  const closePicker = () => {
    if (!picker?.open) return;
    focusRowAfterClose.current = picker.index;
    setPicker({ ...picker, open: false });
  };

  const openPicker = (i: number) => {
    if (!fixable || pending !== null) return;
    setPicker({ index: i, open: true });
  };

  const choose = async (fix: FaceFix) => {
    if (!picker || !onTaskChange) return;
    const i = picker.index;
    const n = i + 1;
    closePicker();
    setPending(i);
    setFixError(null);
    setAnnouncement(t('fix.working', { n }));
    try {
      const updated = await api.fixFace(task.task_id, i, fix);
      if (updated.result_url && updated.result_url !== task.result_url) setAwaitingSrc(updated.result_url);
      onTaskChange(updated);
      const f = updated.faces[i];
      setAnnouncement(
        f?.hidden ? t('fix.doneHidden', { n }) : t('fix.done', { n, expr: t(`expr.${f?.expression ?? 'neutral'}`) }),
      );
    } catch (e) {
      setAnnouncement('');
      if (isFinalFixError(e)) {
        setFixesGone(true);
        setFixError(describeFixError(e, t));
      } else {
        setFixError(t('fix.failed', { n, message: describeFixError(e, t) }));
      }
    } finally {
      setPending(null);
    }
  };

  const pictureLoaded = (src: string | null) => setAwaitingSrc((a) => (a !== null && a === src ? null : a));

  const secondary = (f: Face) => {
    if (f.corrected) {
      const reading = modelReading(f);
      const score = expressionScore(f, reading);
      return (
        <>
          <Box component="span" sx={correctedSx} data-testid="face-corrected">
            {t('fix.corrected')}
          </Box>
          {score !== null && (
            <span data-testid="face-model-reading">
              {t('fix.modelRead', { expr: t(`expr.${reading}`), pct: fmtPct(score) })}
            </span>
          )}
        </>
      );
    }
    const score = expressionScore(f);
    return (
      <>
        {score !== null && <span>{t('result.confidence', { pct: fmtPct(score) })} </span>}
        {isUnsure(f) && (
          <Box component="span" sx={unsureSx} data-testid="face-unsure">
            {fixable ? t('fix.unsure') : t('fix.unsureShort')}
          </Box>
        )}
      </>
    );
  };

  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '2fr 1fr' }, alignItems: 'start' }}>
      {task.result_url && (
        <Box
          sx={{ position: 'relative', lineHeight: 0 }}
          data-testid="result-picture"
          data-busy={pictureBusy ? 'true' : 'false'}
          aria-busy={pictureBusy}
        >
          <Box
            component="img"
            src={task.result_url}
            alt={t('result.alt', { n: task.faces.length })}
            data-testid="result-image"
            onLoad={(e) => pictureLoaded(e.currentTarget.getAttribute('src'))}
            onError={(e) => pictureLoaded(e.currentTarget.getAttribute('src'))}
            sx={{ width: '100%', height: 'auto', borderRadius: 1, display: 'block' }}
          />
          {marked !== null && w > 0 && h > 0 && task.faces[marked] && (
            <Box
              data-testid="face-box"
              aria-hidden
              sx={{
                position: 'absolute',
                ...boxToPercent(task.faces[marked].box, w, h),
                border: 3,
                borderColor: '#ffeb3b',
                outline: '2px solid #000',
                borderRadius: 1,
                pointerEvents: 'none',
              }}
            />
          )}
          {pictureBusy && (
            <Box
              data-testid="result-updating"
              sx={{
                position: 'absolute',
                inset: 0,
                display: 'flex',
                alignItems: 'center',
                justifyContent: 'center',
                bgcolor: 'rgba(255, 255, 255, 0.55)',
                borderRadius: 1,
              }}
            >
              <CircularProgress aria-label={t('result.updating')} />
            </Box>
          )}
        </Box>
      )}
      <Box>
        <Typography variant="h3" component="h2" sx={{ mb: 1 }}>
          {t('result.faces', { n: task.faces.length })}
        </Typography>
        <List dense data-testid="face-list" aria-label={t('result.faceList')}>
          {task.faces.map((f, i) => (
            <ListItemButton
              key={i}
              ref={(el: HTMLDivElement | null) => {
                rows.current[i] = el;
              }}
              selected={marked === i}
              onMouseEnter={() => setActive(i)}
              onMouseLeave={() => setActive(null)}
              onFocus={() => setActive(i)}
              onBlur={() => setActive(null)}
              onClick={() => {
                setActive(i);
                openPicker(i);
              }}
              aria-haspopup={fixable ? 'dialog' : undefined}
              aria-disabled={fixable && pending !== null ? true : undefined}
              aria-busy={pending === i}
              data-testid="face-item"
              data-expression={f.expression}
              data-corrected={f.corrected ? 'true' : 'false'}
              data-hidden={f.hidden ? 'true' : 'false'}
              data-unsure={isUnsure(f) ? 'true' : 'false'}
              data-busy={pending === i ? 'true' : 'false'}
            >
              <Box
                sx={{
                  width: 40,
                  height: 40,
                  mr: 1.5,
                  flexShrink: 0,
                  display: 'flex',
                  alignItems: 'center',
                  justifyContent: 'center',
                }}
              >
                {pending === i ? (
                  <CircularProgress size={28} aria-hidden />
                ) : f.hidden ? (
                  <FaceRetouchingOffIcon aria-hidden sx={{ color: 'text.secondary' }} />
                ) : (
                  <Box
                    component="img"
                    src={f.emoji_url}
                    alt=""
                    sx={{ width: 40, height: 40, objectFit: 'contain' }}
                  />
                )}
              </Box>
              <ListItemText
                primary={`${t('result.face', { n: i + 1 })}: ${f.hidden ? t('fix.hidden') : t(`expr.${f.expression}`)}`}
                secondary={secondary(f)}
              />
              {fixable && <EditIcon aria-hidden fontSize="small" sx={{ ml: 1, color: 'text.secondary' }} />}
            </ListItemButton>
          ))}
        </List>
        {fixError && (
          <Alert severity={fixesGone ? 'warning' : 'error'} role="alert" data-testid="fix-error" sx={{ mt: 1 }}>
            {fixError}
          </Alert>
        )}
        <Box role="status" aria-live="polite" sx={visuallyHidden} data-testid="fix-status">
          {announcement}
        </Box>
      </Box>
      {picker && task.faces[picker.index] && (
        <FacePicker
          open={picker.open}
          index={picker.index}
          face={task.faces[picker.index]}
          emoji={emoji}
          onChoose={choose}
          onClose={closePicker}
        />
      )}
    </Box>
  );
}
