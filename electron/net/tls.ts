/**
 * TLS trust for every connection TeraSync makes (WebDAV, REST, OAuth2): TLS 1.2 at least,
 * certificate checks always on, and a private CA (`--ca`, a setting) trusted in addition to,
 * never instead of, the system roots.
 *
 * The secure context is built once per CA text and reused. Passing `ca: [...rootCertificates,
 * pem]` to an agent instead makes Node join the ~150 root certificates into the agent's
 * connection-pool key on every request and parse them again for every connection: measured
 * in `npm run bench`, that doubled the time of a 20,000-file upload.
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

export const MIN_TLS_VERSION = 'TLSv1.2';

const contexts = new Map<string, SecureContext>();

/** A secure context trusting the system roots plus `ca` (PEM); undefined when no CA is given. */
export function trustContext(ca: string | undefined): SecureContext | undefined {
  if (ca === undefined) return undefined;
  let context = contexts.get(ca);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, ca], minVersion: MIN_TLS_VERSION });
    contexts.set(ca, context);
  }
  return context;
}

/** Options for `https.Agent` / `https.request`: TLS 1.2+, the private CA if any. */
export function tlsOptions(ca: string | undefined): { minVersion: 'TLSv1.2'; secureContext?: SecureContext } {
  const secureContext = trustContext(ca);
  return secureContext === undefined ? { minVersion: MIN_TLS_VERSION } : { minVersion: MIN_TLS_VERSION, secureContext };
}

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
