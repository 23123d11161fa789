import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import DownloadIcon from '@mui/icons-material/Download';
import ReplayIcon from '@mui/icons-material/Replay';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link as RouterLink, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Task } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { FaceResult } from '../components/FaceResult';
import { FaceRow } from '../components/FaceRow';
import { PageLoading } from '../components/PageLoading';
import { PhotoUploadForm } from '../components/PhotoUploadForm';
import { useT } from '../i18n/I18nProvider';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useTaskPolling } from '../lib/useTaskPolling';
import { copyText } from './EmojiDetailPage';
import NotFoundPage from './NotFoundPage';

export default function UseEmojiPage() {
  const t = useT();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const share = params.get('share');
  const taskId = params.get('task');
  const queryClient = useQueryClient();
  const emojiQ = useQuery({ queryKey: ['emoji', id, share], queryFn: () => api.emoji(id, share) });
  useDocumentTitle(emojiQ.data ? t('use.titleWith', { name: emojiQ.data.name }) : t('use.title'));
  const poll = useTaskPolling(taskId);
  const [copied, setCopied] = useState<boolean | null>(null);
  // The task as a face correction answered it; polling has stopped by then.
  const [corrected, setCorrected] = useState<Task | null>(null);

  const task = corrected && corrected.task_id === poll.task?.task_id ? corrected : poll.task;
  const finished = task?.status === 'done' || task?.status === 'failed';
  useEffect(() => {
    if (task?.status === 'done') {
      queryClient.invalidateQueries({ queryKey: ['mypage'] });
      queryClient.invalidateQueries({ queryKey: ['top3'] });
    }
  }, [task?.status, queryClient]);

  const setTask = (tid: string | null) => {
    const next = new URLSearchParams(params);
    if (tid) next.set('task', tid);
    else next.delete('task');
    setCopied(null);
    setCorrected(null);
    setParams(next);
  };

  const taskChanged = (updated: Task) => {
    setCorrected(updated);
    setCopied(null);
    // The thumbnail on My page changed with the result.
    queryClient.invalidateQueries({ queryKey: ['mypage'] });
  };

  if (!/^\d+$/.test(id)) return <NotFoundPage />;
  if (emojiQ.isPending) return <PageLoading />;
  if (emojiQ.isError) {
    if (emojiQ.error instanceof ApiError && emojiQ.error.status === 404) return <NotFoundPage />;
    return <ErrorAlert error={emojiQ.error} onRetry={() => emojiQ.refetch()} />;
  }
  const emoji = emojiQ.data;
  const tryAgain = (
    <Button startIcon={<ReplayIcon />} variant="outlined" onClick={() => setTask(null)} data-testid="try-again">
      {t('use.tryAgain')}
    </Button>
  );

  return (
    <Box>
      <Typography variant="h1" component="h1" sx={{ mb: 1 }}>
        {t('use.titleWith', { name: emoji.name })}
      </Typography>
      <Box sx={{ mb: 3 }}>
        <FaceRow emoji={emoji} size={32} />
        <Link component={RouterLink} to={`/emojis/${emoji.id}${share ? `?share=${encodeURIComponent(share)}` : ''}`} variant="body2">
          {t('use.backToTemplate')}
        </Link>
      </Box>

      {!taskId && <PhotoUploadForm emojiId={emoji.id} share={share} onUploaded={setTask} />}

      {taskId && (
        <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }} data-testid="task-panel">
          {!finished && (
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }} role="status" aria-live="polite">
              <CircularProgress size={28} aria-hidden />
              <Box>
                <Chip
                  data-testid="task-status"
                  label={task?.status === 'running' ? t('task.running') : t('task.queued')}
                  color={task?.status === 'running' ? 'primary' : 'default'}
                />
                <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
                  {task?.status === 'running' ? t('task.runningHelp') : t('task.queuedHelp')}
                </Typography>
              </Box>
            </Stack>
          )}
          {poll.error != null && !finished && (
            <Alert severity={poll.polling ? 'warning' : 'error'} sx={{ mt: 2 }} role="alert">
              {describeError(poll.error, t)} {poll.polling ? t('task.retrying') : ''}
            </Alert>
          )}
          {!poll.polling && poll.error != null && !finished && <Box sx={{ mt: 2 }}>{tryAgain}</Box>}

          {task?.status === 'failed' && (
            <>
              <Alert severity="error" role="alert" data-testid="task-failed" sx={{ mb: 2 }}>
                {task.error?.code === 'no_face' ? t('task.noFace') : t('task.failed', { message: task.error?.message ?? '' })}
              </Alert>
              {tryAgain}
            </>
          )}

          {task?.status === 'done' && task.faces.length === 0 && (
            <>
              <Alert severity="info" role="alert" data-testid="no-face" sx={{ mb: 2 }}>
                {t('task.noFace')}
              </Alert>
              {tryAgain}
            </>
          )}

          {task?.status === 'done' && task.faces.length > 0 && (
            <Box data-testid="task-done">
              <Alert severity="success" sx={{ mb: 2 }} role="status">
                {t('task.done', { n: task.faces.length })}
              </Alert>
              <FaceResult
                task={task}
                emoji={task.emoji_id === emoji.id ? emoji : null}
                onTaskChange={taskChanged}
              />
              <Stack direction="row" spacing={1} sx={{ mt: 2, flexWrap: 'wrap', rowGap: 1 }}>
                {task.result_url && (
                  <Button
                    component="a"
                    href={task.result_url}
                    download={`igemoji-${task.task_id}.${resultExtension(task.result_url)}`}
                    variant="contained"
                    startIcon={<DownloadIcon />}
                    data-testid="download-result"
                  >
                    {t('use.download')}
                  </Button>
                )}
                {task.result_url && (
                  <Button
                    variant="outlined"
                    startIcon={<ContentCopyIcon />}
                    onClick={async () => setCopied(await copyText(new URL(task.result_url!, window.location.origin).href))}
                  >
                    {t('use.copyLink')}
                  </Button>
                )}
                {tryAgain}
              </Stack>
              {copied !== null && (
                <Typography variant="body2" role="status" sx={{ mt: 1 }}>
                  {copied ? t('common.copied') : t('common.copyFailed')}
                </Typography>
              )}
            </Box>
          )}
        </Paper>
      )}
    </Box>
  );
}

/** The result's own extension (`jpg`, or `png` for a photo with transparency). */
function resultExtension(url: string): string {
  return /\.(\w+)$/.exec(url)?.[1] ?? 'jpg';
}
