import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { sessionExpired } from '../api/token';
import { useAuth } from './AuthProvider';

export function RequireAuth({ children }: { children: ReactNode }) {
  const { token } = useAuth();
  const location = useLocation();
  if (!token) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?${sessionExpired() ? 'expired=1&' : ''}next=${next}`} replace />;
  }
  return <>{children}</>;
}
