import Box from '@mui/material/Box';
import InputAdornment from '@mui/material/InputAdornment';
import Pagination from '@mui/material/Pagination';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import SearchIcon from '@mui/icons-material/Search';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api/endpoints';
import { CardGrid, EmojiCard } from '../components/EmojiCard';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageLoading } from '../components/PageLoading';
import { RankingStrip } from '../components/RankingStrip';
import { useT } from '../i18n/I18nProvider';
import { useDebouncedValue } from '../lib/useDebouncedValue';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export const GALLERY_PAGE_SIZE = 12;

export default function HomePage() {
  const t = useT();
  useDocumentTitle('');
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [input, setInput] = useState(q);
  const debouncedInput = useDebouncedValue(input, 350);

  // q values this page pushed itself; the user may already have typed past them.
  const pushedRef = useRef(q);

  // Keep the box in sync when the URL changes from outside (back button, links).
  useEffect(() => {
    if (q !== pushedRef.current) {
      pushedRef.current = q;
      setInput(q);
    }
  }, [q]);

  useEffect(() => {
    const trimmed = debouncedInput.trim();
    if (trimmed === q) return;
    pushedRef.current = trimmed;
    const next = new URLSearchParams(params);
    if (trimmed) next.set('q', trimmed);
    else next.delete('q');
    next.delete('page');
    setParams(next, { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedInput]);

  const list = useQuery({
    queryKey: ['emojis', { page, q }],
    queryFn: () => api.emojis(page, GALLERY_PAGE_SIZE, q || undefined),
    placeholderData: keepPreviousData,
  });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / GALLERY_PAGE_SIZE)) : 1;

  return (
    <>
      <Typography variant="h1" component="h1" sx={{ mb: 1 }}>
        {t('home.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 3 }}>
        {t('home.subtitle')}
      </Typography>

      {!q && page === 1 && <RankingStrip title={t('home.top3')} testId="home-top3" />}

      <Box component="section" aria-labelledby="gallery-h">
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center', mb: 2 }}>
          <Typography variant="h2" component="h2" id="gallery-h" sx={{ flexGrow: 1 }}>
            {t('home.gallery')}
          </Typography>
          <Box
            component="form"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              const next = new URLSearchParams();
              pushedRef.current = input.trim();
              if (input.trim()) next.set('q', input.trim());
              setParams(next);
            }}
            sx={{ width: { xs: '100%', sm: 320 } }}
          >
            <TextField
              fullWidth
              size="small"
              type="search"
              label={t('home.search')}
              value={input}
              onChange={(e) => setInput(e.target.value)}
              slotProps={{
                htmlInput: { 'data-testid': 'search-input' },
                input: {
                  startAdornment: (
                    <InputAdornment position="start">
                      <SearchIcon aria-hidden />
                    </InputAdornment>
                  ),
                },
              }}
            />
          </Box>
        </Box>

        {list.isPending ? (
          <PageLoading />
        ) : list.isError ? (
          <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <Typography color="text.secondary" data-testid="gallery-empty">
            {q ? t('home.noResults', { q }) : t('home.empty')}
          </Typography>
        ) : (
          <>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} aria-live="polite">
              {t('home.total', { n: list.data.total })}
            </Typography>
            <Box data-testid="gallery" sx={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}>
              <CardGrid>
                {list.data.items.map((e) => (
                  <EmojiCard key={e.id} emoji={e} />
                ))}
              </CardGrid>
            </Box>
            {pages > 1 && (
              <Box sx={{ display: 'flex', justifyContent: 'center', mt: 3 }}>
                <Pagination
                  count={pages}
                  page={Math.min(page, pages)}
                  onChange={(_, p) => {
                    const next = new URLSearchParams(params);
                    next.set('page', String(p));
                    setParams(next);
                    window.scrollTo({ top: 0 });
                  }}
                  getItemAriaLabel={(type, p) =>
                    type === 'page' ? t('pager.page', { n: p ?? 0 }) : type === 'next' ? t('pager.next') : t('pager.previous')
                  }
                  siblingCount={0}
                />
              </Box>
            )}
          </>
        )}
      </Box>
    </>
  );
}
