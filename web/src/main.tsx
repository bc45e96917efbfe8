import { render } from 'preact';
import './styles.css';
import { App } from './app';
import { onUnauthorized } from './lib/api';
import { setLang, storedLang, t } from './lib/i18n';
import { installRouter, navigate } from './lib/router';
import { refreshMe, setNotice, takeFragmentToken } from './lib/session';

takeFragmentToken();
installRouter();
onUnauthorized(() => {
  setNotice(t('signin.expired'));
  void refreshMe();
  if (location.pathname !== '/signin') {
    navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
});

const root = document.getElementById('app')!;
void refreshMe();
setLang(storedLang())
  .catch(() => setLang('en'))
  .finally(() => render(<App />, root));
