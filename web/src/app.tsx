import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { LANGS, LANG_NAMES, getLang, isLang, setLang, t, locale, useLang } from './lib/i18n';
import { matchRoute, navigate, useLocation, type Route } from './lib/router';
import { signOut, useSession } from './lib/session';
import { countryName } from './lib/format';
import { Dashboard } from './pages/Dashboard';
import { SearchPage } from './pages/Search';
import { RecordPage } from './pages/Record';
import { NetworkPage } from './pages/Network';
import { AdminPage } from './pages/Admin';
import { SignInPage } from './pages/SignIn';
import { NotFound } from './pages/NotFound';
import { SubmitPage } from './submit/SubmitPage';

function Page({ route }: { route: Route }): JSX.Element {
  switch (route.name) {
    case 'dashboard':
      return <Dashboard />;
    case 'search':
      return <SearchPage />;
    case 'record':
      return <RecordPage key={route.id} id={route.id} />;
    case 'submit':
      return <SubmitPage />;
    case 'network':
      return <NetworkPage />;
    case 'admin':
      return <AdminPage />;
    case 'signin':
      return <SignInPage />;
    default:
      return <NotFound />;
  }
}

function NavLink({ href, current, label }: { href: string; current: boolean; label: string }): JSX.Element {
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
}

export function App(): JSX.Element {
  const loc = useLocation();
  const s = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  useLang();
  const route = matchRoute(loc.pathname);
  const me = s.me;
  const signedIn = !!me && me.role !== 'public';
  const lang = getLang();

  // After a client-side navigation, move focus to the page (screen readers announce it).
  const first = useRef(true);
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [loc.pathname]);

  const onLang = (e: JSX.TargetedEvent<HTMLSelectElement>) => {
    const v = e.currentTarget.value;
    if (isLang(v)) void setLang(v);
  };

  return (
    <div class="app">
      <a class="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header class="site-header">
        <div class="header-inner">
          <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true">◆</span>
            <span class="brand-name">aisafe</span>
            {me && me.node ? (
              <span class="brand-node">
                {me.node}
                {me.country ? ` · ${countryName(me.country, locale())}` : ''}
              </span>
            ) : null}
          </a>
          <button
            type="button"
            class="nav-toggle"
            aria-expanded={menuOpen ? 'true' : 'false'}
            aria-controls="site-nav"
            onClick={() => setMenuOpen(!menuOpen)}
          >
            {t('shell.menu')}
          </button>
          <div id="site-nav" class={`nav-wrap ${menuOpen ? 'open' : ''}`}>
            <nav aria-label="Main">
              <ul>
                <NavLink href="/" current={route.name === 'dashboard'} label={t('nav.dashboard')} />
                <NavLink href="/search" current={route.name === 'search'} label={t('nav.search')} />
                <NavLink href="/submit" current={route.name === 'submit'} label={t('nav.submit')} />
                {signedIn ? <NavLink href="/network" current={route.name === 'network'} label={t('nav.network')} /> : null}
                {me?.role === 'admin' ? <NavLink href="/admin" current={route.name === 'admin'} label={t('nav.admin')} /> : null}
              </ul>
            </nav>
            <div class="tools">
              <label class="lang-select">
                <span class="visually-hidden">{t('shell.language')}</span>
                <svg class="lang-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
                  <circle cx="12" cy="12" r="9.5" />
                  <path d="M2.5 12h19M12 2.5c2.8 2.6 4.2 5.8 4.2 9.5s-1.4 6.9-4.2 9.5M12 2.5C9.2 5.1 7.8 8.3 7.8 12s1.4 6.9 4.2 9.5" />
                </svg>
                <select name="ui-lang" value={lang} onChange={onLang}>
                  {LANGS.map((l) => (
                    <option value={l} lang={l} key={l}>
                      {LANG_NAMES[l]}
                    </option>
                  ))}
                </select>
              </label>
              <div class="whoami" data-testid="whoami">
                {!me ? (
                  <span>…</span>
                ) : signedIn ? (
                  <span>
                    <span class="who-name">{me.name}</span> <span class="role-badge">{t(`role.${me.role}`)}</span>
                  </span>
                ) : (
                  <span>
                    <span class="who-name">{t('role.public')}</span>{' '}
                    {route.name !== 'signin' ? (
                      <a href="/signin" class="signin-link">
                        {t('shell.signin')}
                      </a>
                    ) : null}
                  </span>
                )}
              </div>
              {signedIn ? (
                <button
                  type="button"
                  class="btn btn-quiet"
                  data-testid="signout"
                  onClick={() => {
                    signOut();
                    navigate('/');
                  }}
                >
                  {t('shell.signout')}
                </button>
              ) : null}
            </div>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={mainRef}>
        <Page key={s.token ?? 'public'} route={route} />
      </main>
      <footer class="site-footer">
        <p>{t('shell.footer')}</p>
      </footer>
    </div>
  );
}
