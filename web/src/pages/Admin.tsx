import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJSON, request, sendJSON, type NewToken, type Principal, type Role, type TokenInfo } from '../lib/api';
import { locale, t } from '../lib/i18n';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useTitle } from '../lib/lazy';
import { ErrorBox, Loading, errorText } from '../components/common';

const ROLES: Role[] = ['contributor', 'analyst', 'admin'];
const PAGE = 25;

function Pager({ page, pages, set }: { page: number; pages: number; set: (n: number) => void }): JSX.Element | null {
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label={t('common.pagination')}>
      <button type="button" class="btn" disabled={page === 0} onClick={() => set(page - 1)}>
        {t('common.previous')}
      </button>
      <span class="muted">{t('common.pageOf', { page: page + 1, pages })}</span>
      <button type="button" class="btn" disabled={page + 1 >= pages} onClick={() => set(page + 1)}>
        {t('common.next')}
      </button>
    </nav>
  );
}

export function AdminPage(): JSX.Element {
  useTitle(`${t('admin.title')} · aisafe`);
  const s = useSession();
  const lc = locale();
  const [principals, setPrincipals] = useState<Principal[] | null>(null);
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [msg, setMsg] = useState<string | null>(null);
  const [pName, setPName] = useState('');
  const [pRole, setPRole] = useState<Role>('contributor');
  const [pError, setPError] = useState<string | null>(null);
  const [tPrincipal, setTPrincipal] = useState('');
  const [tExpires, setTExpires] = useState('90d');
  const [tError, setTError] = useState<string | null>(null);
  const [created, setCreated] = useState<NewToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [pPage, setPPage] = useState(0);
  const [tPage, setTPage] = useState(0);
  const isAdmin = s.me?.role === 'admin';

  useEffect(() => {
    if (!isAdmin) return;
    Promise.all([
      getJSON<{ principals: Principal[] }>('/v1/admin/principals'),
      getJSON<{ tokens: TokenInfo[] }>('/v1/admin/tokens'),
    ]).then(
      ([p, tk]) => {
        setPrincipals(p.principals);
        setTokens(tk.tokens);
        setError(null);
        if (!tPrincipal && p.principals.length) setTPrincipal(p.principals[0].name);
      },
      (e: unknown) => setError(e),
    );
  }, [isAdmin, tick]);

  if (!s.me) return <Loading />;
  if (!isAdmin) {
    return (
      <div class="page narrow">
        <h1>{t('admin.title')}</h1>
        <p class="notice">
          {s.me.role === 'public' ? (
            <>
              {t('admin.needSignIn')} <a href="/signin?next=/admin">{t('shell.signin')}</a>
            </>
          ) : (
            t('admin.notAdmin')
          )}
        </p>
      </div>
    );
  }

  const addPrincipal = async (e: Event) => {
    e.preventDefault();
    setPError(null);
    const name = pName.trim();
    if (!name) {
      setPError(t('admin.nameRequired'));
      return;
    }
    try {
      await sendJSON('POST', '/v1/admin/principals', { name, role: pRole });
      setMsg(t('admin.principalAdded', { name }));
      setPName('');
      setTick(tick + 1);
    } catch (err) {
      setPError(errorText(err));
    }
  };

  const removePrincipal = async (name: string) => {
    if (!window.confirm(t('admin.confirmRemove', { name }))) return;
    try {
      await request(`/v1/admin/principals/${encodeURIComponent(name)}`, { method: 'DELETE' });
      setMsg(t('admin.principalRemoved', { name }));
      setTick(tick + 1);
    } catch (err) {
      setMsg(errorText(err));
    }
  };

  const createToken = async (e: Event) => {
    e.preventDefault();
    setTError(null);
    setCopied(false);
    if (!tPrincipal) {
      setTError(t('admin.principalRequired'));
      return;
    }
    try {
      const tk = await sendJSON<NewToken>('POST', '/v1/admin/tokens', { principal: tPrincipal, expires: tExpires.trim() || null });
      setCreated(tk);
      setTick(tick + 1);
    } catch (err) {
      setTError(errorText(err));
    }
  };

  const revoke = async (id: string, principal: string) => {
    if (!window.confirm(t('admin.confirmRevoke', { id, principal }))) return;
    try {
      await request(`/v1/admin/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
      setMsg(t('admin.tokenRevoked', { id }));
      if (created?.id === id) setCreated(null);
      setTick(tick + 1);
    } catch (err) {
      setMsg(errorText(err));
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      const el = document.getElementById('new-token-value');
      if (el) window.getSelection()?.selectAllChildren(el);
    }
  };

  const pList = principals ?? [];
  const tList = tokens ?? [];
  const pPages = Math.max(1, Math.ceil(pList.length / PAGE));
  const tPages = Math.max(1, Math.ceil(tList.length / PAGE));

  return (
    <div class="page admin-page">
      <h1>{t('admin.title')}</h1>
      {msg ? (
        <p class="notice" role="status">
          {msg}
        </p>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {!principals && !error ? <Loading /> : null}

      <section class="card" aria-labelledby="pr-h">
        <h2 id="pr-h">{t('admin.principals')}</h2>
        <div class="table-scroll">
          <table class="data responsive" data-testid="principals">
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('admin.role')}</th>
                <th scope="col">{t('admin.created')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pList.slice(pPage * PAGE, pPage * PAGE + PAGE).map((p) => (
                <tr key={p.name} data-testid="principal-row">
                  <th scope="row" data-label={t('admin.name')}>
                    {p.name}
                  </th>
                  <td data-label={t('admin.role')}>{t(`role.${p.role}`)}</td>
                  <td data-label={t('admin.created')}>{formatDate(p.created, lc)}</td>
                  <td>
                    <button
                      type="button"
                      class="btn btn-danger btn-small"
                      onClick={() => void removePrincipal(p.name)}
                      aria-label={t('admin.removeNamed', { name: p.name })}
                      disabled={p.name === s.me?.name}
                    >
                      {t('admin.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager page={pPage} pages={pPages} set={setPPage} />
        <form class="form inline-form" onSubmit={addPrincipal} noValidate>
          <h3>{t('admin.addPrincipal')}</h3>
          <div class="form-row">
            <label for="principal-name">{t('admin.name')}</label>
            <input
              id="principal-name"
              name="principal-name"
              value={pName}
              onInput={(e) => setPName(e.currentTarget.value)}
              aria-invalid={pError ? 'true' : undefined}
              aria-describedby={pError ? 'principal-error' : undefined}
              autoComplete="off"
            />
          </div>
          <div class="form-row">
            <label for="principal-role">{t('admin.role')}</label>
            <select id="principal-role" name="principal-role" value={pRole} onChange={(e) => setPRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option value={r} key={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="btn btn-primary">
            {t('admin.add')}
          </button>
          {pError ? (
            <p id="principal-error" class="field-error" role="alert">
              {pError}
            </p>
          ) : null}
        </form>
      </section>

      <section class="card" aria-labelledby="tk-h">
        <h2 id="tk-h">{t('admin.tokens')}</h2>
        {created ? (
          <div class="new-token" role="status">
            <p>
              <strong>{t('admin.newToken', { principal: created.principal })}</strong> {t('admin.newTokenOnce')}
            </p>
            <div class="token-box">
              <code id="new-token-value" data-testid="new-token" class="mono break">
                {created.token}
              </code>
              <button type="button" class="btn" onClick={() => void copy()}>
                {copied ? t('admin.copied') : t('admin.copy')}
              </button>
            </div>
          </div>
        ) : null}
        <div class="table-scroll">
          <table class="data responsive" data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">{t('admin.tokenId')}</th>
                <th scope="col">{t('admin.principal')}</th>
                <th scope="col">{t('admin.created')}</th>
                <th scope="col">{t('admin.expires')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tList.slice(tPage * PAGE, tPage * PAGE + PAGE).map((tk) => (
                <tr key={tk.id} data-testid="token-row" class={tk.revoked ? 'row-muted' : ''}>
                  <th scope="row" data-label={t('admin.tokenId')} class="mono">
                    {tk.id}
                  </th>
                  <td data-label={t('admin.principal')}>{tk.principal}</td>
                  <td data-label={t('admin.created')}>{formatDate(tk.created, lc)}</td>
                  <td data-label={t('admin.expires')}>{tk.expires ? formatDate(tk.expires, lc) : t('admin.never')}</td>
                  <td data-label={t('admin.status')}>
                    {tk.revoked ? t('admin.revokedOn', { date: formatDate(tk.revoked, lc) }) : t('admin.active')}
                  </td>
                  <td>
                    {!tk.revoked ? (
                      <button
                        type="button"
                        class="btn btn-danger btn-small"
                        data-testid="revoke"
                        onClick={() => void revoke(tk.id, tk.principal)}
                        aria-label={t('admin.revokeNamed', { id: tk.id })}
                      >
                        {t('admin.revoke')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager page={tPage} pages={tPages} set={setTPage} />
        <form class="form inline-form" onSubmit={createToken} noValidate>
          <h3>{t('admin.createToken')}</h3>
          <div class="form-row">
            <label for="token-principal">{t('admin.principal')}</label>
            <select id="token-principal" name="token-principal" value={tPrincipal} onChange={(e) => setTPrincipal(e.currentTarget.value)}>
              {pList.map((p) => (
                <option value={p.name} key={p.name}>
                  {p.name} ({t(`role.${p.role}`)})
                </option>
              ))}
            </select>
          </div>
          <div class="form-row">
            <label for="token-expires">{t('admin.expiresIn')}</label>
            <input
              id="token-expires"
              name="token-expires"
              value={tExpires}
              onInput={(e) => setTExpires(e.currentTarget.value)}
              aria-describedby="token-expires-help"
              placeholder="90d"
            />
            <p id="token-expires-help" class="muted small">
              {t('admin.expiresHelp')}
            </p>
          </div>
          <button type="submit" class="btn btn-primary">
            {t('admin.create')}
          </button>
          {tError ? (
            <p class="field-error" role="alert">
              {tError}
            </p>
          ) : null}
        </form>
      </section>
    </div>
  );
}
