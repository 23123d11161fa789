import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CardActions from '@mui/material/CardActions';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Pagination from '@mui/material/Pagination';
import Paper from '@mui/material/Paper';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link as RouterLink, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api/endpoints';
import type { Emoji, TaskStatus, UsedItem } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CardGrid, EmojiCard } from '../components/EmojiCard';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageLoading } from '../components/PageLoading';
import { useI18n, useT } from '../i18n/I18nProvider';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export const MYPAGE_SIZE = 10;

function Pager({ total, page, onChange }: { total: number; page: number; onChange: (p: number) => void }) {
  const t = useT();
  const pages = Math.max(1, Math.ceil(total / MYPAGE_SIZE));
  if (pages <= 1) return null;
  return (
    <Box sx={{ display: 'flex', justifyContent: 'center', mt: 2 }}>
      <Pagination
        count={pages}
        page={Math.min(page, pages)}
        siblingCount={0}
        onChange={(_, p) => onChange(p)}
        getItemAriaLabel={(type, p) =>
          type === 'page' ? t('pager.page', { n: p ?? 0 }) : type === 'next' ? t('pager.next') : t('pager.previous')
        }
      />
    </Box>
  );
}

function statusKey(s: TaskStatus) {
  return `status.${s}` as const;
}

function UsedList({ page, setPage }: { page: number; setPage: (p: number) => void }) {
  const { t, lang } = useI18n();
  const q = useQuery({
    queryKey: ['mypage', 'used', page],
    queryFn: () => api.myUsed(page, MYPAGE_SIZE),
    placeholderData: keepPreviousData,
  });
  if (q.isPending) return <PageLoading />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  if (q.data.items.length === 0)
    return (
      <Typography color="text.secondary" data-testid="used-empty">
        {t('me.usedEmpty')}
      </Typography>
    );
  return (
    <>
      <List data-testid="used-list">
        {q.data.items.map((it: UsedItem) => {
          const img = it.thumbnail_url ?? it.result_url ?? it.emoji?.preview_url ?? null;
          const taskLink = it.emoji ? `/emojis/${it.emoji.id}/use?task=${encodeURIComponent(it.task_id)}` : null;
          return (
            <ListItem key={it.task_id} divider data-testid="used-item" sx={{ gap: 2, alignItems: 'center' }}>
              {img ? (
                <Box
                  component="img"
                  src={img}
                  alt={it.emoji ? t('me.resultAlt', { name: it.emoji.name }) : t('me.resultAltNoEmoji')}
                  sx={{ width: 64, height: 64, objectFit: 'cover', borderRadius: 1, flexShrink: 0 }}
                />
              ) : (
                <Box sx={{ width: 64, height: 64, bgcolor: 'grey.200', borderRadius: 1, flexShrink: 0 }} aria-hidden />
              )}
              <Box sx={{ flexGrow: 1, minWidth: 0 }}>
                <Typography sx={{ fontWeight: 600, wordBreak: 'break-word' }}>
                  {it.emoji ? (
                    <Link component={RouterLink} to={`/emojis/${it.emoji.id}`}>
                      {it.emoji.name}
                    </Link>
                  ) : (
                    t('me.deletedEmoji')
                  )}
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  {new Date(it.created_at).toLocaleString(lang)}
                </Typography>
              </Box>
              <Chip size="small" label={t(statusKey(it.status))} color={it.status === 'failed' ? 'error' : 'default'} />
              {taskLink && it.status === 'done' && (
                <Button component={RouterLink} to={taskLink} size="small">
                  {t('me.view')}
                </Button>
              )}
            </ListItem>
          );
        })}
      </List>
      <Pager total={q.data.total} page={page} onChange={setPage} />
    </>
  );
}

function CreatedList({ page, setPage }: { page: number; setPage: (p: number) => void }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [toDelete, setToDelete] = useState<Emoji | null>(null);
  const q = useQuery({
    queryKey: ['mypage', 'created', page],
    queryFn: () => api.myCreated(page, MYPAGE_SIZE),
    placeholderData: keepPreviousData,
  });
  const del = useMutation({
    mutationFn: (id: number) => api.deleteEmoji(id),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['mypage'] });
      queryClient.invalidateQueries({ queryKey: ['emojis'] });
      queryClient.invalidateQueries({ queryKey: ['top3'] });
    },
    onSettled: () => setToDelete(null),
  });
  if (q.isPending) return <PageLoading />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => q.refetch()} />;
  return (
    <>
      <Button component={RouterLink} to="/emojis/new" startIcon={<AddIcon />} variant="contained" sx={{ mb: 2 }}>
        {t('nav.create')}
      </Button>
      {del.isError && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {describeError(del.error, t)}
        </Alert>
      )}
      {q.data.items.length === 0 ? (
        <Typography color="text.secondary" data-testid="created-empty">
          {t('me.createdEmpty')}
        </Typography>
      ) : (
        <Box data-testid="created-list">
          <CardGrid>
            {q.data.items.map((e) => (
              <EmojiCard
                key={e.id}
                emoji={e}
                actions={
                  <CardActions>
                    <Button
                      color="error"
                      size="small"
                      startIcon={<DeleteIcon />}
                      onClick={() => setToDelete(e)}
                      aria-label={`${t('common.delete')}: ${e.name}`}
                      data-testid="created-delete"
                    >
                      {t('common.delete')}
                    </Button>
                  </CardActions>
                }
              />
            ))}
          </CardGrid>
        </Box>
      )}
      <Pager total={q.data.total} page={page} onChange={setPage} />
      <ConfirmDialog
        open={!!toDelete}
        title={t('detail.deleteTitle')}
        body={t('detail.deleteBody', { name: toDelete?.name ?? '' })}
        confirmLabel={t('common.delete')}
        busy={del.isPending}
        onClose={() => setToDelete(null)}
        onConfirm={() => toDelete && del.mutate(toDelete.id)}
      />
    </>
  );
}

export default function MyPage() {
  const t = useT();
  useDocumentTitle(t('me.title'));
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'created' ? 'created' : 'used';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const deleted = (location.state as { deleted?: boolean } | null)?.deleted;

  const delAccount = useMutation({
    mutationFn: api.deleteMe,
    onSuccess: () => {
      setConfirmOpen(false);
      logout();
      navigate('/', { replace: true });
    },
    onError: () => setConfirmOpen(false),
  });

  const setTab = (v: string) => setParams(new URLSearchParams({ tab: v }));
  const setPage = (p: number) => setParams(new URLSearchParams({ tab, page: String(p) }));

  return (
    <Box>
      <Typography variant="h1" component="h1" sx={{ mb: 1 }}>
        {t('me.title')}
      </Typography>
      {user && (
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          {t('me.signedInAs', { nickname: user.nickname, username: user.username })}
        </Typography>
      )}
      {deleted && (
        <Alert severity="success" sx={{ mb: 2 }}>
          {t('me.deleted')}
        </Alert>
      )}
      <Box sx={{ borderBottom: 1, borderColor: 'divider', mb: 2 }}>
        <Tabs value={tab} onChange={(_, v: string) => setTab(v)} aria-label={t('me.title')} variant="fullWidth">
          <Tab value="used" label={t('me.used')} id="tab-used" aria-controls="panel-used" data-testid="tab-used" />
          <Tab value="created" label={t('me.created')} id="tab-created" aria-controls="panel-created" data-testid="tab-created" />
        </Tabs>
      </Box>
      <Box role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'used' ? <UsedList page={page} setPage={setPage} /> : <CreatedList page={page} setPage={setPage} />}
      </Box>

      <Paper variant="outlined" sx={{ mt: 5, p: 2, borderColor: 'error.main' }}>
        <Typography variant="h3" component="h2" sx={{ mb: 1 }}>
          {t('me.danger')}
        </Typography>
        {delAccount.isError && (
          <Alert severity="error" sx={{ mb: 1 }}>
            {describeError(delAccount.error, t)}
          </Alert>
        )}
        <Button color="error" variant="outlined" onClick={() => setConfirmOpen(true)} data-testid="delete-account">
          {t('me.deleteAccount')}
        </Button>
      </Paper>
      <ConfirmDialog
        open={confirmOpen}
        title={t('me.deleteAccountTitle')}
        body={t('me.deleteAccountBody')}
        confirmLabel={t('me.deleteAccount')}
        busy={delAccount.isPending}
        onClose={() => setConfirmOpen(false)}
        onConfirm={() => delAccount.mutate()}
      />
    </Box>
  );
}
