const TOKEN_KEY = 'igemoji.token';
const EXPIRES_KEY = 'igemoji.token_expires_at';

let expired = false;

/** True after a 401 cleared the token, until the next log-in. */
export function sessionExpired(): boolean {
  return expired;
}

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  const s = safeStorage();
  if (!s) return null;
  // An expired token is still returned: the server answers 401 and the
  // client's session-expired flow takes over (one place for that logic).
  return s.getItem(TOKEN_KEY);
}

export function setToken(token: string, expiresInSeconds?: number): void {
  expired = false;
  const s = safeStorage();
  s?.setItem(TOKEN_KEY, token);
  if (expiresInSeconds && expiresInSeconds > 0) {
    s?.setItem(EXPIRES_KEY, String(Date.now() + expiresInSeconds * 1000));
  } else {
    s?.removeItem(EXPIRES_KEY);
  }
  listeners.forEach((l) => l(token));
}

export function clearToken(reason?: 'expired'): void {
  expired = reason === 'expired';
  const s = safeStorage();
  const had = s?.getItem(TOKEN_KEY);
  s?.removeItem(TOKEN_KEY);
  s?.removeItem(EXPIRES_KEY);
  if (had) listeners.forEach((l) => l(null));
}

export function subscribeToken(l: Listener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
