import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router-dom';
import { useT } from '../i18n/I18nProvider';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export default function NotFoundPage() {
  const t = useT();
  useDocumentTitle(t('notFound.title'));
  return (
    <Box sx={{ textAlign: 'center', py: 6 }} data-testid="not-found">
      <Typography sx={{ fontSize: 72 }} aria-hidden>
        🫥
      </Typography>
      <Typography variant="h1" component="h1" sx={{ mb: 2 }}>
        {t('notFound.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 3 }}>
        {t('notFound.body')}
      </Typography>
      <Button component={RouterLink} to="/" variant="contained">
        {t('notFound.home')}
      </Button>
    </Box>
  );
}
