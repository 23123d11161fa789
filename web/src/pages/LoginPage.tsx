import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { useAuth } from '../auth/AuthProvider';
import { useT } from '../i18n/I18nProvider';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { normalizeUsername } from '../lib/validation';

/** Only same-site paths are allowed as a post-login destination. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/signup')) return '/';
  return next;
}

export default function LoginPage() {
  const t = useT();
  useDocumentTitle(t('login.title'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const expired = params.get('expired') === '1';
  const next = safeNext(params.get('next'));
  const { login } = useAuth();
  const registered = params.get('registered') === '1';
  const [username, setUsername] = useState(() => params.get('username') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: () => api.logIn({ username: normalizeUsername(username), password }),
    onSuccess: (tok) => {
      login(tok.access_token, tok.expires_in);
      navigate(next, { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && (err.status === 401 || err.code === 'invalid_credentials')) {
        setError(t('login.invalid'));
      } else {
        setError(describeError(err, t));
      }
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!username.trim() || !password) {
      setError(t('login.missing'));
      return;
    }
    mutation.mutate();
  };

  return (
    <Paper variant="outlined" sx={{ maxWidth: 420, mx: 'auto', p: { xs: 2, sm: 4 } }}>
      <Typography variant="h1" component="h1" sx={{ mb: 3 }}>
        {t('login.title')}
      </Typography>
      <Stack component="form" spacing={2} noValidate onSubmit={submit}>
        {expired && !error && (
          <Alert severity="warning" data-testid="session-expired">
            {t('login.expired')}
          </Alert>
        )}
        {registered && !error && (
          <Alert severity="success" data-testid="signup-success">
            {t('login.registered')}
          </Alert>
        )}
        {error && (
          <Alert severity="error" role="alert" data-testid="login-error">
            {error}
          </Alert>
        )}
        <TextField
          label={t('field.username')}
          value={username}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          onChange={(e) => setUsername(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'login-username' } }}
        />
        <TextField
          label={t('field.password')}
          type="password"
          value={password}
          autoComplete="current-password"
          required
          onChange={(e) => setPassword(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'login-password' } }}
        />
        <Button type="submit" variant="contained" size="large" disabled={mutation.isPending} data-testid="login-submit">
          {mutation.isPending ? t('common.working') : t('login.submit')}
        </Button>
        <Typography variant="body2">
          {t('login.noAccount')}{' '}
          <Link component={RouterLink} to="/signup">
            {t('nav.signup')}
          </Link>
        </Typography>
      </Stack>
    </Paper>
  );
}
