// Who is signed in: the token (sessionStorage, lib/api.ts) and GET /v1/me.
import { Notifier, useNotifier } from './notify';
import { getJSON, getToken, setToken, type Me } from './api';

export interface Session {
  me: Me | null; // null while loading
  token: string | null;
  /** A message for the sign-in page (e.g. the session ended). */
  notice: string | null;
}

let state: Session = { me: null, token: getToken(), notice: null };
const changes = new Notifier();

function set(s: Partial<Session>): void {
  state = { ...state, ...s };
  changes.notify();
}

export function session(): Session {
  return state;
}

export function useSession(): Session {
  useNotifier(changes);
  return state;
}

export async function refreshMe(): Promise<void> {
  const token = getToken();
  try {
    const me = await getJSON<Me>('/v1/me');
    set({ me, token: getToken() });
  } catch {
    // 401 already cleared the token (api.ts); ask again as the public.
    if (token && !getToken()) {
      try {
        set({ me: await getJSON<Me>('/v1/me'), token: null });
        return;
      } catch {
        /* fall through */
      }
    }
    set({ me: { name: null, role: 'public', node: '', country: '' }, token: getToken() });
  }
}

export async function signIn(token: string, me: Me): Promise<void> {
  setToken(token);
  set({ token, me, notice: null });
}

export function signOut(notice: string | null = null): void {
  setToken(null);
  const was = state.me;
  set({ token: null, notice, me: { name: null, role: 'public', node: was?.node ?? '', country: was?.country ?? '' } });
  void refreshMe();
}

export function setNotice(notice: string | null): void {
  set({ notice });
}

/** Takes a token from the URL fragment (#token=...), keeps it and removes the fragment. */
export function takeFragmentToken(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  const token = decodeURIComponent(m[1]);
  setToken(token);
  state = { ...state, token };
  history.replaceState(null, '', location.pathname + location.search);
}

export function isStaff(me: Me | null): boolean {
  return !!me && (me.role === 'admin' || me.role === 'analyst');
}
