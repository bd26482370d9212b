/**
 * A headless stand-in for the system browser in OAuth2 sign-in tests: it opens the
 * authorization URL, follows redirects with a cookie jar (host- and path-scoped, with
 * expiry, as a browser keeps them: oidc-provider sets one interaction cookie per step, each
 * on its own path), fills and submits the login form, and follows the final redirect to the
 * app's loopback redirect URI. It returns that last page, as the user would see it.
 *
 * It stops early on a page without a form that is not the redirect URI (an error page), and
 * on a login form shown again after it submitted one (wrong password): `finalBody` is then
 * that page. Plain node:http: every party is on loopback.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface BrowserCredentials {
  userId: string;
  password: string;
}

export interface BrowserOptions {
  /** Rewrites the `state` on the way to the redirect URI (a forged or stale answer). */
  tamperState?: (state: string) => string;
  /** Presses "Cancel" on the login page instead of signing in. */
  cancel?: boolean;
}

export interface BrowserResult {
  finalStatus: number;
  finalBody: string;
  /** The address of the last page. */
  finalUrl: string;
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiresAt: number;
}

interface Page {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const MAX_STEPS = 20;

function fetchPage(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`browser: ${url.origin} did not answer`)));
    req.end(body);
  });
}

class CookieJar {
  private cookies: Cookie[] = [];

  store(url: URL, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const cookie: Cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), host: url.hostname, path: defaultPath(url), expiresAt: Infinity };
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=', 2);
        switch (key.toLowerCase()) {
          case 'path':
            if (value.startsWith('/')) cookie.path = value;
            break;
          case 'max-age':
            cookie.expiresAt = Date.now() + Number(value) * 1000;
            break;
          case 'expires':
            if (cookie.expiresAt === Infinity) cookie.expiresAt = Date.parse(value);
            break;
        }
      }
      this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path));
      if (cookie.expiresAt > Date.now()) this.cookies.push(cookie);
    }
  }

  header(url: URL): string | undefined {
    const now = Date.now();
    const matching = this.cookies
      .filter((c) => c.expiresAt > now && c.host === url.hostname && pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? undefined : matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : url.pathname.slice(0, slash);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface Form {
  action: string;
  fields: Map<string, string>;
}

function formsOf(html: string): Form[] {
  const forms: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = /\baction="([^"]*)"/i.exec(match[1] ?? '')?.[1];
    if (action === undefined) continue;
    const fields = new Map<string, string>();
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const name = /\bname="([^"]*)"/i.exec(input[1] ?? '')?.[1];
      if (name === undefined) continue;
      fields.set(decodeEntities(name), decodeEntities(/\bvalue="([^"]*)"/i.exec(input[1] ?? '')?.[1] ?? ''));
    }
    forms.push({ action: decodeEntities(action), fields });
  }
  return forms;
}

export async function completeBrowserSignIn(
  authorizationUrl: string,
  credentials: BrowserCredentials,
  options: BrowserOptions = {},
): Promise<BrowserResult> {
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get('redirect_uri');
  if (redirectUri === null) throw new Error('browser: the authorization URL has no redirect_uri');
  const redirect = new URL(redirectUri);
  const isRedirectUri = (url: URL): boolean =>
    url.protocol === redirect.protocol && url.host === redirect.host && url.pathname === redirect.pathname;

  const jar = new CookieJar();
  let url = start;
  let method = 'GET';
  let body: string | undefined;
  let submittedLogin = false;

  for (let step = 0; step < MAX_STEPS; step++) {
    const headers: Record<string, string> = { Accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie !== undefined) headers['Cookie'] = cookie;
    if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const response = await fetchPage(url, method, headers, body);
    jar.store(url, response.headers['set-cookie']);

    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location !== undefined) {
      const next = new URL(location, url);
      if (isRedirectUri(next) && options.tamperState !== undefined) {
        next.searchParams.set('state', options.tamperState(next.searchParams.get('state') ?? ''));
      }
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    if (isRedirectUri(url)) return { finalStatus: response.status, finalBody: response.body, finalUrl: url.href };

    const forms = formsOf(response.body);
    const login = forms.find((form) => form.fields.has('password'));
    if (login === undefined || submittedLogin) return { finalStatus: response.status, finalBody: response.body, finalUrl: url.href };

    const cancel = forms.find((form) => form !== login && /abort|cancel/i.test(form.action));
    const chosen = options.cancel === true ? cancel : login;
    if (chosen === undefined) throw new Error('browser: the login page has no cancel button');
    const fields = new URLSearchParams([...chosen.fields]);
    if (chosen === login) {
      fields.set('userId', credentials.userId);
      fields.set('password', credentials.password);
    }
    submittedLogin = true;
    url = new URL(chosen.action, url);
    method = 'POST';
    body = fields.toString();
  }
  throw new Error(`browser: more than ${MAX_STEPS} pages without reaching ${redirect.origin}${redirect.pathname}`);
}
