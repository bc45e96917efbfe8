import type { JSX } from 'preact';
import { t } from '../lib/i18n';
import { useTitle } from '../lib/lazy';

export function NotFound(): JSX.Element {
  useTitle(`${t('notfound.title')} · aisafe`);
  return (
    <div class="page narrow">
      <h1>{t('notfound.title')}</h1>
      <p>{t('notfound.text')}</p>
      <p>
        <a href="/">{t('notfound.home')}</a>
      </p>
    </div>
  );
}
