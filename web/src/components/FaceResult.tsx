import Box from '@mui/material/Box';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { Task } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';

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

export function FaceResult({ task }: { task: Task }) {
  const { t, lang } = useI18n();
  const [active, setActive] = useState<number | null>(null);
  const w = task.image_width ?? 0;
  const h = task.image_height ?? 0;
  const fmtPct = (v: number) => (v * 100).toLocaleString(lang, { maximumFractionDigits: 1 }) + '%';

  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '2fr 1fr' }, alignItems: 'start' }}>
      {task.result_url && (
        <Box sx={{ position: 'relative', lineHeight: 0 }}>
          <Box
            component="img"
            src={task.result_url}
            alt={t('result.alt', { n: task.faces.length })}
            data-testid="result-image"
            sx={{ width: '100%', height: 'auto', borderRadius: 1, display: 'block' }}
          />
          {active !== null && w > 0 && h > 0 && task.faces[active] && (
            <Box
              data-testid="face-box"
              aria-hidden
              sx={{
                position: 'absolute',
                ...boxToPercent(task.faces[active].box, w, h),
                border: 3,
                borderColor: '#ffeb3b',
                outline: '2px solid #000',
                borderRadius: 1,
                pointerEvents: 'none',
              }}
            />
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
              selected={active === i}
              onMouseEnter={() => setActive(i)}
              onMouseLeave={() => setActive(null)}
              onFocus={() => setActive(i)}
              onBlur={() => setActive(null)}
              onClick={() => setActive(i)}
              data-testid="face-item"
              data-expression={f.expression}
            >
              <Box
                component="img"
                src={f.emoji_url}
                alt=""
                sx={{ width: 40, height: 40, objectFit: 'contain', mr: 1.5 }}
              />
              <ListItemText
                primary={`${t('result.face', { n: i + 1 })}: ${t(`expr.${f.expression}`)}`}
                secondary={t('result.confidence', { pct: fmtPct(f.score) })}
              />
            </ListItemButton>
          ))}
        </List>
      </Box>
    </Box>
  );
}
