import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import IconButton from '@mui/material/IconButton';
import Link from '@mui/material/Link';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import MenuIcon from '@mui/icons-material/Menu';
import { Suspense, useState } from 'react';
import { Link as RouterLink, Outlet, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { useI18n } from '../i18n/I18nProvider';
import type { Lang } from '../i18n/messages';
import { Attribution } from './Attribution';
import { PageLoading } from './PageLoading';

interface NavItem {
  to: string;
  label: string;
  testId: string;
}

export function Layout() {
  const { t, lang, setLang } = useI18n();
  const { token, user, logout } = useAuth();
  const navigate = useNavigate();
  const [menuAnchor, setMenuAnchor] = useState<HTMLElement | null>(null);

  const items: NavItem[] = [
    { to: '/', label: t('nav.home'), testId: 'nav-home' },
    { to: '/ranking', label: t('nav.ranking'), testId: 'nav-ranking' },
  ];
  if (token) {
    items.push({ to: '/emojis/new', label: t('nav.create'), testId: 'nav-create' });
    items.push({ to: '/me', label: t('nav.me'), testId: 'nav-me' });
  } else {
    items.push({ to: '/login', label: t('nav.login'), testId: 'nav-login' });
    items.push({ to: '/signup', label: t('nav.signup'), testId: 'nav-signup' });
  }

  const doLogout = () => {
    setMenuAnchor(null);
    logout();
    navigate('/');
  };

  const langSwitch = (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={lang}
      onChange={(_, v: Lang | null) => v && setLang(v)}
      aria-label={t('nav.language')}
      sx={{ bgcolor: 'background.paper' }}
    >
      <ToggleButton value="ko" lang="ko" aria-label="한국어" data-testid="lang-ko">
        한
      </ToggleButton>
      <ToggleButton value="en" lang="en" aria-label="English" data-testid="lang-en">
        EN
      </ToggleButton>
    </ToggleButtonGroup>
  );

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column' }}>
      <Link
        href="#main"
        sx={{
          position: 'absolute',
          left: -9999,
          top: 8,
          zIndex: 2000,
          bgcolor: 'background.paper',
          p: 1,
          '&:focus': { left: 8 },
        }}
      >
        {t('nav.skip')}
      </Link>
      <AppBar position="sticky" color="primary">
        <Toolbar sx={{ gap: 1 }}>
          <Typography
            component={RouterLink}
            to="/"
            variant="h6"
            sx={{ color: 'inherit', textDecoration: 'none', fontWeight: 800, mr: 2, whiteSpace: 'nowrap' }}
          >
            IGE-MOJI
          </Typography>
          <Box component="nav" aria-label={t('nav.main')} sx={{ display: { xs: 'none', md: 'flex' }, gap: 0.5, flexGrow: 1 }}>
            {items.map((it) => (
              <Button key={it.to} component={RouterLink} to={it.to} color="inherit" data-testid={it.testId}>
                {it.label}
              </Button>
            ))}
            {token && (
              <Button color="inherit" onClick={doLogout} data-testid="nav-logout">
                {t('nav.logout')}
              </Button>
            )}
          </Box>
          <Box sx={{ flexGrow: 1, display: { xs: 'block', md: 'none' } }} />
          {user && (
            <Typography variant="body2" sx={{ display: { xs: 'none', sm: 'block' }, mr: 1 }} data-testid="current-user">
              {user.nickname || user.username}
            </Typography>
          )}
          {langSwitch}
          <IconButton
            color="inherit"
            sx={{ display: { xs: 'inline-flex', md: 'none' } }}
            aria-label={t('nav.menu')}
            aria-haspopup="true"
            aria-controls={menuAnchor ? 'main-menu' : undefined}
            aria-expanded={menuAnchor ? 'true' : undefined}
            onClick={(e) => setMenuAnchor(e.currentTarget)}
            data-testid="nav-menu-button"
          >
            <MenuIcon />
          </IconButton>
          <Menu id="main-menu" anchorEl={menuAnchor} open={!!menuAnchor} onClose={() => setMenuAnchor(null)}>
            {items.map((it) => (
              <MenuItem
                key={it.to}
                component={RouterLink}
                to={it.to}
                onClick={() => setMenuAnchor(null)}
                data-testid={`${it.testId}-m`}
              >
                {it.label}
              </MenuItem>
            ))}
            {token && (
              <MenuItem onClick={doLogout} data-testid="nav-logout-m">
                {t('nav.logout')}
              </MenuItem>
            )}
          </Menu>
        </Toolbar>
      </AppBar>
      <Container component="main" id="main" tabIndex={-1} maxWidth="lg" sx={{ flexGrow: 1, py: 3, outline: 'none' }}>
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </Container>
      <Box component="footer" sx={{ borderTop: 1, borderColor: 'divider', bgcolor: 'background.paper', py: 2 }}>
        <Container maxWidth="lg">
          <Attribution />
        </Container>
      </Box>
    </Box>
  );
}
