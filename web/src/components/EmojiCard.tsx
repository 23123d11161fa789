import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import LockIcon from '@mui/icons-material/Lock';
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import type { Emoji } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';
import { FaceRow } from './FaceRow';

export function ownerName(emoji: Emoji, builtinLabel: string): string {
  if (emoji.builtin || !emoji.owner) return builtinLabel;
  return emoji.owner.nickname || emoji.owner.username;
}

export function EmojiCard({ emoji, actions, rank }: { emoji: Emoji; actions?: ReactNode; rank?: number }) {
  const { t, lang } = useI18n();
  return (
    <Card variant="outlined" data-testid="emoji-card" sx={{ height: '100%', display: 'flex', flexDirection: 'column' }}>
      <CardActionArea component={RouterLink} to={`/emojis/${emoji.id}`} sx={{ flexGrow: 1 }}>
        <CardContent>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
            {rank != null && (
              <Chip size="small" color="primary" label={t('ranking.rank', { n: rank })} />
            )}
            <Typography variant="h3" component="h3" sx={{ flexGrow: 1, wordBreak: 'break-word' }}>
              {emoji.name}
            </Typography>
            {emoji.visibility === 'private' && <LockIcon fontSize="small" titleAccess={t('emoji.private')} />}
          </Stack>
          <FaceRow emoji={emoji} />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {t('emoji.by', { owner: ownerName(emoji, t('emoji.builtin')) })} ·{' '}
            <span data-testid="use-count">{t('emoji.uses', { n: emoji.use_count.toLocaleString(lang) })}</span>
          </Typography>
        </CardContent>
      </CardActionArea>
      {actions}
    </Card>
  );
}

export function CardGrid({ children }: { children: ReactNode }) {
  return (
    <Stack
      component="div"
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: { xs: '1fr', sm: 'repeat(2, 1fr)', md: 'repeat(3, 1fr)' },
      }}
    >
      {children}
    </Stack>
  );
}
