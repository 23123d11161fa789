import Box from '@mui/material/Box';
import { EXPRESSIONS, type Emoji } from '../api/types';
import { useT } from '../i18n/I18nProvider';

/** The seven faces of a template, in the fixed expression order. */
export function FaceRow({ emoji, size = 36 }: { emoji: Emoji; size?: number }) {
  const t = useT();
  return (
    <Box
      component="ul"
      sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, listStyle: 'none', p: 0, m: 0 }}
      aria-label={t('emoji.facesOf', { name: emoji.name })}
    >
      {EXPRESSIONS.map((ex) => (
        <li key={ex}>
          <img
            src={emoji.images?.[ex] ?? emoji.preview_url}
            alt={t(`expr.${ex}`)}
            title={t(`expr.${ex}`)}
            width={size}
            height={size}
            loading="lazy"
            style={{ objectFit: 'contain', display: 'block' }}
          />
        </li>
      ))}
    </Box>
  );
}
