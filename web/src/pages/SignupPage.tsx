import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { describeError } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useUsernameAvailability, type Availability } from '../lib/useUsernameAvailability';
import { normalizeUsername, validateNickname, validatePassword, validateUsername } from '../lib/validation';

type Field = 'username' | 'password' | 'nickname';

function availabilityText(a: Availability): { key: MessageKey; ok?: boolean; bad?: boolean } | null {
  switch (a.state) {
    case 'checking':
      return { key: 'signup.checking' };
    case 'available':
      return { key: 'signup.available', ok: true };
    case 'taken':
      return { key: 'signup.taken', bad: true };
    case 'error':
      return { key: 'signup.checkFailed' };
    default:
      return null;
  }
}

export default function SignupPage() {
  const t = useT();
  useDocumentTitle(t('signup.title'));
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [touched, setTouched] = useState<Record<Field, boolean>>({ username: false, password: false, nickname: false });
  const [serverFields, setServerFields] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const availability = useUsernameAvailability(username);

  const localErrors: Record<Field, MessageKey | null> = {
    username: validateUsername(username),
    password: validatePassword(password),
    nickname: validateNickname(nickname),
  };

  const mutation = useMutation({
    mutationFn: async () => {
      const u = normalizeUsername(username);
      const body: { username: string; password: string; nickname?: string } = { username: u, password };
      if (nickname.trim()) body.nickname = nickname.trim();
      return api.signUp(body);
    },
    onSuccess: (user) => {
      navigate(`/login?registered=1&username=${encodeURIComponent(user.username)}`, { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError) {
        if (err.code === 'username_taken' || err.status === 409) {
          setServerFields({ username: t('signup.taken') });
          return;
        }
        if (err.status === 422 && Object.keys(err.fields).length) {
          setServerFields(err.fields as Partial<Record<Field, string>>);
          setFormError(err.message || t('err.validation'));
          return;
        }
      }
      setFormError(describeError(err, t));
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched({ username: true, password: true, nickname: true });
    setServerFields({});
    setFormError(null);
    if (localErrors.username || localErrors.password || localErrors.nickname) return;
    if (availability.state === 'taken') return;
    mutation.mutate();
  };

  const fieldError = (f: Field): string | undefined => {
    if (serverFields[f]) return serverFields[f];
    const k = localErrors[f];
    return touched[f] && k ? t(k) : undefined;
  };

  const avail = availabilityText(availability);
  const usernameErr = fieldError('username') ?? (avail?.bad ? t(avail.key) : undefined);
  const usernameHelper = usernameErr ?? (avail ? t(avail.key) : t('signup.usernameHint'));

  return (
    <Paper variant="outlined" sx={{ maxWidth: 480, mx: 'auto', p: { xs: 2, sm: 4 } }}>
      <Typography variant="h1" component="h1" sx={{ mb: 3 }}>
        {t('signup.title')}
      </Typography>
      <Stack component="form" spacing={2} noValidate onSubmit={submit} aria-describedby={formError ? 'signup-error' : undefined}>
        {formError && (
          <Alert severity="error" id="signup-error" role="alert">
            {formError}
          </Alert>
        )}
        <TextField
          label={t('field.username')}
          value={username}
          required
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          onChange={(e) => {
            setUsername(e.target.value);
            setServerFields((s) => ({ ...s, username: undefined }));
          }}
          onBlur={() => setTouched((s) => ({ ...s, username: true }))}
          error={!!usernameErr}
          helperText={<span data-testid="username-status" aria-live="polite">{usernameHelper}</span>}
          slotProps={{
            htmlInput: { 'data-testid': 'signup-username', maxLength: 60 },
            formHelperText: {
              sx: avail?.ok && !usernameErr ? { color: 'success.dark', fontWeight: 600 } : undefined,
            },
          }}
        />
        <TextField
          label={t('field.password')}
          type="password"
          value={password}
          required
          autoComplete="new-password"
          onChange={(e) => {
            setPassword(e.target.value);
            setServerFields((s) => ({ ...s, password: undefined }));
          }}
          onBlur={() => setTouched((s) => ({ ...s, password: true }))}
          error={!!fieldError('password')}
          helperText={fieldError('password') ?? t('signup.passwordHint')}
          slotProps={{ htmlInput: { 'data-testid': 'signup-password' } }}
        />
        <TextField
          label={t('field.nickname')}
          value={nickname}
          autoComplete="nickname"
          onChange={(e) => {
            setNickname(e.target.value);
            setServerFields((s) => ({ ...s, nickname: undefined }));
          }}
          onBlur={() => setTouched((s) => ({ ...s, nickname: true }))}
          error={!!fieldError('nickname')}
          helperText={fieldError('nickname') ?? t('signup.nicknameHint')}
          slotProps={{ htmlInput: { 'data-testid': 'signup-nickname' } }}
        />
        <Button type="submit" variant="contained" size="large" disabled={mutation.isPending} data-testid="signup-submit">
          {mutation.isPending ? t('common.working') : t('signup.submit')}
        </Button>
        <Typography variant="body2">
          {t('signup.haveAccount')}{' '}
          <Link component={RouterLink} to="/login">
            {t('nav.login')}
          </Link>
        </Typography>
      </Stack>
    </Paper>
  );
}
