/**
 * Which addresses TeraSync connects to: HTTPS anywhere, plain HTTP only to loopback (the
 * emulator and test servers). Pure functions on URLs and host names, with no networking
 * module loaded, so that checking an address costs nothing at start-up (electron/net/tls.ts
 * re-exports them for the code that connects).
 */

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === '::1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  return host === '::ffff:127.0.0.1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

/**
 * Null when `url` may be used: `https:` anywhere, `http:` only to a loopback address (the
 * emulator and test servers). Otherwise the reason, for a Configuration error.
 */
export function insecureUrlReason(url: URL): string | null {
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? null : `${url.origin} is plain HTTP: TeraSync only connects over HTTPS (plain HTTP is for loopback test servers).`;
  }
  return `${url.protocol} is not a web address TeraSync can use (https: only).`;
}
