import Typography from '@mui/material/Typography';
import { RankingStrip } from '../components/RankingStrip';
import { useT } from '../i18n/I18nProvider';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export default function RankingPage() {
  const t = useT();
  useDocumentTitle(t('ranking.title'));
  return (
    <>
      <Typography variant="h1" component="h1" sx={{ mb: 3 }}>
        {t('ranking.title')}
      </Typography>
      <RankingStrip title={t('ranking.allTime')} testId="ranking-all" />
      <RankingStrip days={7} title={t('ranking.week')} testId="ranking-7d" />
    </>
  );
}
