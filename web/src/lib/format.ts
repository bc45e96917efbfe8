// Dates, numbers and names in the viewer's (interface) locale.

export const MEMBER_STATES = ['BN', 'KH', 'ID', 'LA', 'MY', 'MM', 'PH', 'SG', 'TH', 'TL', 'VN'] as const;

export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** An RFC 3339 time or a YYYY-MM-DD date, in the locale; the input itself if unparsable. */
export function formatDate(s: string | null | undefined, locale: string, withTime = true): string {
  if (!s) return '';
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const d = new Date(dateOnly ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(d.getTime())) return s;
  const opts: Intl.DateTimeFormatOptions =
    dateOnly || !withTime
      ? { dateStyle: 'medium', ...(dateOnly ? { timeZone: 'UTC' } : {}) }
      : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(locale, opts).format(d);
}

/** "3 minutes ago" style, for last-sync times. */
export function formatRelative(s: string | null | undefined, locale: string, now = Date.now()): string {
  if (!s) return '';
  const t = new Date(s).getTime();
  if (Number.isNaN(t)) return s;
  const sec = Math.round((t - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(sec);
  if (abs < 60) return rtf.format(sec, 'second');
  if (abs < 3600) return rtf.format(Math.round(sec / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(sec / 3600), 'hour');
  return rtf.format(Math.round(sec / 86400), 'day');
}

export function countryName(cc: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(cc) ?? cc;
  } catch {
    return cc;
  }
}

export function languageName(tag: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** "ab12cd34…ef56" for long hashes. */
export function shortHash(h: string, head = 12, tail = 6): string {
  return h.length <= head + tail + 1 ? h : `${h.slice(0, head)}…${h.slice(-tail)}`;
}

/** "amber+strict" -> "TLP:AMBER+STRICT". */
export function tlpLabel(tlp: string): string {
  return `TLP:${tlp.toUpperCase()}`;
}

/** "harm_categories" -> "Harm categories" (a field name made readable when no translation exists). */
export function humanize(key: string): string {
  const s = key.replace(/[_-]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : key;
}
