import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { useT } from '../i18n/I18nProvider';
import { CardGrid, EmojiCard } from './EmojiCard';
import { ErrorAlert } from './ErrorAlert';
import { PageLoading } from './PageLoading';

export function RankingStrip({ days, title, testId }: { days?: number; title: string; testId?: string }) {
  const t = useT();
  const q = useQuery({ queryKey: ['top3', days ?? null], queryFn: () => api.top3(days) });
  return (
    <Box component="section" aria-label={title} data-testid={testId} sx={{ mb: 4 }}>
      <Typography variant="h2" component="h2" sx={{ mb: 2 }}>
        {title}
      </Typography>
      {q.isPending ? (
        <PageLoading />
      ) : q.isError ? (
        <ErrorAlert error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.items.length === 0 ? (
        <Typography color="text.secondary">{t('ranking.empty')}</Typography>
      ) : (
        <CardGrid>
          {q.data.items.slice(0, 3).map((e, i) => (
            <EmojiCard key={e.id} emoji={e} rank={i + 1} />
          ))}
        </CardGrid>
      )}
    </Box>
  );
}
