import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import DeleteIcon from '@mui/icons-material/Delete';
import FaceIcon from '@mui/icons-material/Face';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../api/endpoints';
import { EXPRESSIONS } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ownerName } from '../components/EmojiCard';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageLoading } from '../components/PageLoading';
import { useI18n } from '../i18n/I18nProvider';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import NotFoundPage from './NotFoundPage';
import { ApiError } from '../api/client';

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export default function EmojiDetailPage() {
  const { t, lang } = useI18n();
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const share = params.get('share');
  const { user } = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [copied, setCopied] = useState<boolean | null>(null);

  const q = useQuery({ queryKey: ['emoji', id, share], queryFn: () => api.emoji(id, share) });
  useDocumentTitle(q.data?.name ?? t('detail.title'));

  const del = useMutation({
    mutationFn: () => api.deleteEmoji(q.data!.id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ['emoji', id] });
      queryClient.invalidateQueries({ queryKey: ['emojis'] });
      queryClient.invalidateQueries({ queryKey: ['mypage'] });
      queryClient.invalidateQueries({ queryKey: ['top3'] });
      navigate('/me?tab=created', { replace: true, state: { deleted: true } });
    },
  });

  if (!/^\d+$/.test(id)) return <NotFoundPage />;
  if (q.isPending) return <PageLoading />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) return <NotFoundPage />;
    return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  }
  const emoji = q.data;
  const isOwner = !!user && !!emoji.owner && user.id === emoji.owner.id;
  const shareUrl = emoji.share_token
    ? `${window.location.origin}/emojis/${emoji.id}?share=${encodeURIComponent(emoji.share_token)}`
    : null;
  const useHref = `/emojis/${emoji.id}/use${share ? `?share=${encodeURIComponent(share)}` : ''}`;

  return (
    <Box data-testid="emoji-detail">
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' }, mb: 2 }}>
        <Box sx={{ flexGrow: 1 }}>
          <Typography variant="h1" component="h1" sx={{ wordBreak: 'break-word' }} data-testid="emoji-name">
            {emoji.name}
          </Typography>
          <Typography color="text.secondary">
            {t('emoji.by', { owner: ownerName(emoji, t('emoji.builtin')) })} ·{' '}
            <span data-testid="use-count">{t('emoji.uses', { n: emoji.use_count.toLocaleString(lang) })}</span>
          </Typography>
        </Box>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <Chip
            label={emoji.visibility === 'private' ? t('emoji.private') : t('emoji.public')}
            variant="outlined"
            color={emoji.visibility === 'private' ? 'secondary' : 'default'}
          />
          <Button
            component={RouterLink}
            to={useHref}
            variant="contained"
            size="large"
            startIcon={<FaceIcon />}
            data-testid="use-this"
          >
            {t('detail.use')}
          </Button>
        </Stack>
      </Stack>

      {emoji.description && (
        <Typography sx={{ mb: 2, whiteSpace: 'pre-wrap' }} data-testid="emoji-description">
          {emoji.description}
        </Typography>
      )}

      <Box
        component="ul"
        aria-label={t('emoji.facesOf', { name: emoji.name })}
        sx={{
          listStyle: 'none',
          p: 0,
          m: 0,
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: 'repeat(2, 1fr)', sm: 'repeat(4, 1fr)', md: 'repeat(7, 1fr)' },
        }}
      >
        {EXPRESSIONS.map((ex) => (
          <Paper component="li" key={ex} variant="outlined" sx={{ p: 1.5, textAlign: 'center' }}>
            <Box
              component="img"
              src={emoji.images[ex]}
              alt={`${emoji.name} – ${t(`expr.${ex}`)}`}
              sx={{ width: '100%', maxWidth: 128, aspectRatio: '1 / 1', objectFit: 'contain', display: 'block', mx: 'auto' }}
            />
            <Typography variant="body2" sx={{ mt: 1, fontWeight: 600 }} aria-hidden>
              {t(`expr.${ex}`)}
            </Typography>
          </Paper>
        ))}
      </Box>

      {emoji.attribution && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          {emoji.attribution}
        </Typography>
      )}

      {shareUrl && (
        <Paper variant="outlined" sx={{ mt: 3, p: 2 }}>
          <Typography variant="h3" component="h2" sx={{ mb: 1 }}>
            {t('detail.shareTitle')}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {t('detail.shareHelp')}
          </Typography>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
            <TextField
              fullWidth
              size="small"
              value={shareUrl}
              label={t('detail.shareLink')}
              slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'share-link' } }}
              onFocus={(e) => e.target.select()}
            />
            <Button
              variant="outlined"
              startIcon={<ContentCopyIcon />}
              onClick={async () => setCopied(await copyText(shareUrl))}
            >
              {t('common.copy')}
            </Button>
          </Stack>
          {copied !== null && (
            <Typography variant="body2" role="status" sx={{ mt: 1 }}>
              {copied ? t('common.copied') : t('common.copyFailed')}
            </Typography>
          )}
        </Paper>
      )}

      {isOwner && (
        <Box sx={{ mt: 3 }}>
          {del.isError && (
            <Alert severity="error" sx={{ mb: 1 }}>
              {describeError(del.error, t)}
            </Alert>
          )}
          <Button
            color="error"
            variant="outlined"
            startIcon={<DeleteIcon />}
            onClick={() => setConfirmOpen(true)}
            data-testid="delete-emoji"
          >
            {t('detail.delete')}
          </Button>
        </Box>
      )}
      <ConfirmDialog
        open={confirmOpen}
        title={t('detail.deleteTitle')}
        body={t('detail.deleteBody', { name: emoji.name })}
        confirmLabel={t('common.delete')}
        busy={del.isPending}
        onClose={() => setConfirmOpen(false)}
        onConfirm={() => del.mutate(undefined, { onSettled: () => setConfirmOpen(false) })}
      />
    </Box>
  );
}
