/**
 * What the server says about this browser: the vault's phase, the organisation, the signed-in
 * user and the CSRF token (GET /api/state). Every screen reads it; sign-in, setup, unlock and
 * sign-out replace it.
 */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { can, type Permission, type StateResponse } from '../../src/server/app/api.js';
import { api, setCsrfToken } from './api.js';

interface SessionValue {
  readonly state: StateResponse;
  /** Replaces the state with an answer from the server (setup, sign-in, unlock). */
  readonly update: (state: StateResponse) => void;
  /** Asks the server again, e.g. after a 401. */
  readonly refresh: () => Promise<void>;
  /** True when the signed-in user's role has `permission`. */
  readonly may: (permission: Permission) => boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({
  initial,
  children,
}: {
  initial: StateResponse;
  children: ReactNode;
}) {
  const [state, setState] = useState(initial);
  const update = useCallback((s: StateResponse) => {
    setCsrfToken(s.csrfToken);
    setState(s);
  }, []);
  const refresh = useCallback(async () => update(await api.state()), [update]);
  const value = useMemo(
    () => ({
      state,
      update,
      refresh,
      may: (p: Permission) => state.user !== null && can(state.user.role, p),
    }),
    [state, update, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session; only inside SessionProvider. */
export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}
