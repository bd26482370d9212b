/**
 * Pages of the service the window links to. MyPage is where the user turns on Apps
 * connection, issues the Apps password and sees the WebDAV connection URL; the service has one
 * site per brand (teracloud.jp, infini-cloud.net) and per language. Opened in the browser
 * through shell:openUrl (https: only).
 */
import type { Locale } from './i18n/i18n.js';

const brands = ['teracloud.jp', 'infini-cloud.net'] as const;

/** The brand of the account's node, from its WebDAV address; teracloud.jp when unknown. */
export function serviceDomain(webdavUrl: string | null | undefined): (typeof brands)[number] {
  if (webdavUrl) {
    try {
      const host = new URL(webdavUrl).hostname;
      for (const brand of brands) if (host === brand || host.endsWith(`.${brand}`)) return brand;
    } catch {
      // Not a URL: the default brand.
    }
  }
  return 'teracloud.jp';
}

export function myPageUrl(locale: Locale, webdavUrl?: string | null): string {
  return `https://${serviceDomain(webdavUrl)}/${locale}/modules/mypage/usage/`;
}
