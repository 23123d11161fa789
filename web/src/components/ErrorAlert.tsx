import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import { useT } from '../i18n/I18nProvider';
import { describeError } from '../lib/errors';

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : undefined
      }
    >
      {describeError(error, t)}
    </Alert>
  );
}
