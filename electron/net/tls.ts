/**
 * TLS trust for every connection TeraSync makes (WebDAV, REST, OAuth2): TLS 1.2 at least,
 * certificate checks always on, and a private CA (`--ca`, or the account's own from the
 * sign-in's advanced options) trusted in addition to, never instead of, the system roots.
 *
 * The secure context is built once per CA text and reused. Passing `ca: [...rootCertificates,
 * pem]` to an agent instead makes Node join the ~150 root certificates into the agent's
 * connection-pool key on every request and parse them again for every connection: measured
 * in `npm run bench`, that doubled the time of a 20,000-file upload.
 */
import { Agent as HttpsAgent } from 'node:https';
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

/**
 * Options for `https.Agent` / `https.request`: TLS 1.2+, the private CA if any, and
 * certificate checks on whatever the environment says (`NODE_TLS_REJECT_UNAUTHORIZED=0`
 * switches Node's default off; it must never switch ours off).
 */
export function tlsOptions(ca: string | undefined): { minVersion: 'TLSv1.2'; rejectUnauthorized: true; secureContext?: SecureContext } {
  const secureContext = trustContext(ca);
  const base = { minVersion: MIN_TLS_VERSION, rejectUnauthorized: true } as const;
  return secureContext === undefined ? base : { ...base, secureContext };
}

const agents = new Map<string, HttpsAgent>();

/**
 * One HTTPS agent per trust setting for the small REST and OAuth2 requests. Node's global
 * agent pools connections and TLS sessions by host and port only, so a connection made with a
 * private CA would serve a later request that must not trust it.
 */
export function httpsAgentFor(ca: string | undefined): HttpsAgent {
  const key = ca ?? '';
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new HttpsAgent({ keepAlive: false, ...tlsOptions(ca) });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * The code of the error a WebDAV request fails with when an HTTPS server redirects it to plain
 * HTTP (`WebDavTransport.send` never follows that; `errorFromFailure` makes it Configuration).
 */
export const INSECURE_REDIRECT_CODE = 'ERR_TERASYNC_INSECURE_REDIRECT';

// Where an address may be used; kept apart so that code which only checks addresses (the
// `terasync status` command) does not load node:http, node:https and node:tls.
export { insecureUrlReason, isLoopbackHost } from './addresses.js';

/**
 * What a TLS failure means for the user, by OpenSSL / Node error code: the advice differs (a
 * private CA helps with an unknown issuer, never with an old protocol or a wrong host name).
 */
export function tlsFailureAdvice(code: string | undefined): string {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return "the server's certificate is expired or not yet valid (check this computer's date and time).";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return "the server's certificate is for another host name: check the address.";
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE') {
    return 'TLS 1.2 or later could not be negotiated: the server (or a proxy) offers only older, insecure versions.';
  }
  return (
    "the server's certificate could not be verified. If you connect through a private CA or a TLS-inspecting proxy, " +
    'pass its certificate with --ca <file.pem>, or in the app choose it under "Advanced" when you sign in (it is trusted in addition to the system roots).'
  );
}
