import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { setUnauthorizedHandler } from '../api/client';
import { api } from '../api/endpoints';
import { clearToken, getToken, setToken, subscribeToken } from '../api/token';
import type { UserRef } from '../api/types';

interface AuthValue {
  token: string | null;
  user: UserRef | null;
  /** True while a stored token is being checked on first load. */
  loading: boolean;
  login: (token: string, expiresIn?: number) => void;
  logout: () => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setTokenState] = useState<string | null>(() => getToken());
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  useEffect(() => subscribeToken(setTokenState), []);

  // Any 401 on an authenticated call: token already cleared by the client; send to log in.
  useEffect(() => {
    setUnauthorizedHandler(() => {
      queryClient.removeQueries({ queryKey: ['me'] });
      queryClient.removeQueries({ queryKey: ['mypage'] });
      const next = window.location.pathname + window.location.search;
      if (window.location.pathname !== '/login') {
        navigate(`/login?expired=1&next=${encodeURIComponent(next)}`, { replace: true });
      }
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate, queryClient]);

  const me = useQuery({
    queryKey: ['me', token],
    queryFn: api.me,
    enabled: !!token,
    staleTime: 5 * 60 * 1000,
    retry: false,
  });

  const login = useCallback(
    (t: string, expiresIn?: number) => {
      setToken(t, expiresIn);
      queryClient.removeQueries({ queryKey: ['me'] });
    },
    [queryClient],
  );

  const logout = useCallback(() => {
    clearToken();
    setTokenState(null);
    queryClient.removeQueries({ queryKey: ['me'] });
    queryClient.removeQueries({ queryKey: ['mypage'] });
    // Owner-only fields (share_token) may be cached in emoji queries.
    queryClient.invalidateQueries({ queryKey: ['emoji'] });
  }, [queryClient]);

  const value = useMemo<AuthValue>(
    () => ({
      token,
      user: token ? (me.data ?? null) : null,
      loading: !!token && me.isPending,
      login,
      logout,
    }),
    [token, me.data, me.isPending, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
