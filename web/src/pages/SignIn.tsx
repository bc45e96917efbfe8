import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, getJSON, type Me } from '../lib/api';
import { t } from '../lib/i18n';
import { navigate } from '../lib/router';
import { setNotice, signIn, useSession } from '../lib/session';
import { useTitle } from '../lib/lazy';

function safeNext(search: string): string {
  const n = new URLSearchParams(search).get('next');
  return n && n.startsWith('/') && !n.startsWith('//') ? n : '/';
}

export function SignInPage(): JSX.Element {
  useTitle(`${t('signin.title')} · aisafe`);
  const s = useSession();
  const [token, setTokenText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const tok = token.trim();
    if (!tok) {
      setError(t('signin.empty'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await getJSON<Me>('/v1/me', { token: tok, no401: true });
      if (me.role === 'public') throw new Error(t('signin.invalid'));
      await signIn(tok, me);
      setTokenText('');
      navigate(safeNext(location.search));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('signin.invalid') : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const signedIn = s.me && s.me.role !== 'public';
  return (
    <div class="page narrow">
      <h1>{t('signin.title')}</h1>
      {s.notice ? (
        <div class="notice notice-warn" role="alert">
          <p>{s.notice}</p>
          <button type="button" class="btn btn-quiet" onClick={() => setNotice(null)}>
            {t('common.dismiss')}
          </button>
        </div>
      ) : null}
      {signedIn ? <p class="notice">{t('signin.already', { name: s.me?.name ?? '', role: t(`role.${s.me?.role}`) })}</p> : null}
      <p>{t('signin.intro')}</p>
      <form class="form card" onSubmit={submit} noValidate>
        <div class="form-row">
          <label for="token">{t('signin.token')}</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setTokenText(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'token-error token-help' : 'token-help'}
            required
          />
          <p id="token-help" class="muted small">
            {t('signin.tokenHelp')}
          </p>
          {error ? (
            <p id="token-error" class="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('signin.checking') : t('signin.submit')}
        </button>
      </form>
      <p class="muted">{t('signin.public')}</p>
    </div>
  );
}
