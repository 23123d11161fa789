import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ThemeProvider } from '@mui/material/styles';
import CssBaseline from '@mui/material/CssBaseline';
import { theme } from './theme';
import { I18nProvider } from './i18n/I18nProvider';
import { AuthProvider } from './auth/AuthProvider';
import { RequireAuth } from './auth/RequireAuth';
import { Layout } from './components/Layout';
import { PageLoading } from './components/PageLoading';
import { ApiError } from './api/client';
import HomePage from './pages/HomePage';

// Home is in the initial bundle; other pages load on demand.
const SignupPage = lazy(() => import('./pages/SignupPage'));
const LoginPage = lazy(() => import('./pages/LoginPage'));
const EmojiDetailPage = lazy(() => import('./pages/EmojiDetailPage'));
const UseEmojiPage = lazy(() => import('./pages/UseEmojiPage'));
const CreateEmojiPage = lazy(() => import('./pages/CreateEmojiPage'));
const RankingPage = lazy(() => import('./pages/RankingPage'));
const MyPage = lazy(() => import('./pages/MyPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Do not retry client errors (404, 401, 403, 422 …); retry transient ones twice.
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  });
}

export function AppRoutes() {
  return (
    <Suspense fallback={<PageLoading />}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<HomePage />} />
          <Route path="signup" element={<SignupPage />} />
          <Route path="login" element={<LoginPage />} />
          <Route path="ranking" element={<RankingPage />} />
          <Route
            path="emojis/new"
            element={
              <RequireAuth>
                <CreateEmojiPage />
              </RequireAuth>
            }
          />
          <Route path="emojis/:id" element={<EmojiDetailPage />} />
          <Route path="emojis/:id/use" element={<UseEmojiPage />} />
          <Route
            path="me"
            element={
              <RequireAuth>
                <MyPage />
              </RequireAuth>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

const queryClient = makeQueryClient();

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <I18nProvider>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <AuthProvider>
              <AppRoutes />
            </AuthProvider>
          </BrowserRouter>
        </QueryClientProvider>
      </I18nProvider>
    </ThemeProvider>
  );
}
