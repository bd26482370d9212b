import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, TeraSyncError } from '../../../../../shared/errors.js';
import { LoopbackRedirectListener, type AuthorizationResponse } from '../../../../../electron/auth/oauth/LoopbackRedirectListener.js';
import { FakeClock, settle } from '../../../../support/fakeClock.js';

const STATE = 'k3J0c2VjcmV0LXN0YXRlLXZhbHVlLTEyOC1iaXRzLW1pbg';

interface Page {
  status: number;
  body: string;
}

function browse(url: string, method = 'GET'): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function callback(listener: LoopbackRedirectListener, query: Record<string, string> | string): Promise<Page> {
  const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  return browse(`${listener.redirectUri}?${search}`);
}

async function caught(promise: Promise<unknown>): Promise<TeraSyncError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TeraSyncError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const open: LoopbackRedirectListener[] = [];
async function start(options: { timeoutMs?: number; signal?: AbortSignal; clock?: FakeClock } = {}): Promise<LoopbackRedirectListener> {
  const clock = options.clock ?? new FakeClock();
  const listener = await LoopbackRedirectListener.start({ state: STATE, timeoutMs: options.timeoutMs, signal: options.signal, scheduler: clock });
  open.push(listener);
  return listener;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((listener) => listener.dispose()));
});

describe('LoopbackRedirectListener', () => {
  it('listens on 127.0.0.1 on a port the OS picked, at /callback', async () => {
    const listener = await start();
    const url = new URL(listener.redirectUri);
    expect(url.protocol).toBe('http:');
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(url.pathname).toBe('/callback');
  });

  it('hands over the code of the answer with the right state, and holds the page until the exchange is done', async () => {
    const listener = await start();
    let release!: () => void;
    const exchanged = new Promise<void>((resolve) => (release = resolve));
    const seen: AuthorizationResponse[] = [];
    const result = listener.waitForAuthorization(async (response) => {
      seen.push(response);
      await exchanged;
      return 'tokens';
    });
    let page: Page | undefined;
    const browser = callback(listener, { code: 'the-code', state: STATE, iss: 'https://auth.example' }).then((p) => (page = p));
    await settle(20);
    expect(seen).toEqual([{ code: 'the-code', issuer: 'https://auth.example' }]);
    expect(page).toBeUndefined();
    release();
    await expect(result).resolves.toBe('tokens');
    await browser;
    expect(page?.status).toBe(200);
    expect(page?.body).toContain('Signed in to TeraSync');
    expect(page?.body).toContain('You can close this tab');
  });

  it('shows the exchange error in the browser and rejects with it', async () => {
    const listener = await start();
    const failure = caught(
      listener.waitForAuthorization(async () => {
        throw new TeraSyncError(ErrorCode.Unauthorized, 'The code was refused <script>.');
      }),
    );
    const page = await callback(listener, { code: 'c', state: STATE });
    expect(page.status).toBe(400);
    expect(page.body).toContain('The code was refused &#60;script&#62;.');
    expect(page.body).not.toContain('<script>');
    expect((await failure).code).toBe(ErrorCode.Unauthorized);
  });

  it('refuses an answer with a wrong state, shows why, and ends the sign-in with an error', async () => {
    const listener = await start();
    let exchanged = false;
    const failure = caught(
      listener.waitForAuthorization(async () => {
        exchanged = true;
      }),
    );
    const page = await callback(listener, { code: 'stolen', state: `${STATE}x` });
    expect(page.status).toBe(400);
    expect(page.body).toContain('does not belong to this sign-in');
    const error = await failure;
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.message).toContain('state');
    expect(exchanged).toBe(false);
    // The right answer arriving afterwards does not revive the sign-in.
    const late = await callback(listener, { code: 'c', state: STATE });
    expect(late.status).toBe(409);
    expect(exchanged).toBe(false);
  });

  it('refuses a missing or repeated state', async () => {
    for (const query of [{ code: 'c' }, `code=c&state=${STATE}&state=${STATE}`]) {
      const listener = await start();
      const failure = caught(listener.waitForAuthorization(async () => 'no'));
      expect((await callback(listener, query)).status).toBe(400);
      expect((await failure).code).toBe(ErrorCode.InvalidRequest);
    }
  });

  it('ends with a clear message when the browser brings back error=access_denied', async () => {
    const listener = await start();
    const failure = caught(listener.waitForAuthorization(async () => 'no'));
    const page = await callback(listener, { error: 'access_denied', error_description: 'The user cancelled the sign-in.', state: STATE });
    expect(page.body).toContain('cancelled or access was refused');
    const error = await failure;
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('The user cancelled the sign-in.');
  });

  it('answers 404 to anything but GET /callback, and keeps waiting', async () => {
    const listener = await start();
    const origin = new URL(listener.redirectUri).origin;
    let delivered = 0;
    const result = listener.waitForAuthorization(async () => ++delivered);
    expect((await browse(`${origin}/favicon.ico`)).status).toBe(404);
    expect((await browse(`${origin}/`)).status).toBe(404);
    expect((await browse(`${origin}/callback/x?code=c&state=${STATE}`)).status).toBe(404);
    expect((await browse(`${listener.redirectUri}?code=c&state=${STATE}`, 'POST')).status).toBe(404);
    expect(delivered).toBe(0);
    expect((await callback(listener, { code: 'c', state: STATE })).status).toBe(200);
    await expect(result).resolves.toBe(1);
  });

  it('takes exactly one answer', async () => {
    const listener = await start();
    const codes: string[] = [];
    const result = listener.waitForAuthorization(async ({ code }) => codes.push(code));
    expect((await callback(listener, { code: 'first', state: STATE })).status).toBe(200);
    await result;
    const again = await callback(listener, { code: 'second', state: STATE });
    expect(again.status).toBe(409);
    expect(codes).toEqual(['first']);
  });

  it('gives up after the timeout (5 minutes by default), on the injected clock', async () => {
    const clock = new FakeClock();
    const listener = await start({ clock });
    const failure = caught(listener.waitForAuthorization(async () => 'no'));
    await clock.advance(5 * 60_000 - 1);
    expect(clock.pending()).toBe(1);
    await clock.advance(1);
    const error = await failure;
    expect(error.code).toBe(ErrorCode.Timeout);
    expect(error.message).toContain('5 min');
  });

  it('takes a shorter timeout, and stops its timer once an answer arrived', async () => {
    const clock = new FakeClock();
    const listener = await start({ clock, timeoutMs: 2_000 });
    const result = listener.waitForAuthorization(async () => 'ok');
    await callback(listener, { code: 'c', state: STATE });
    expect(clock.pending()).toBe(0);
    await clock.advance(10_000);
    await expect(result).resolves.toBe('ok');
  });

  it('ends as Cancelled when the signal aborts, or was aborted before', async () => {
    const controller = new AbortController();
    const clock = new FakeClock();
    const listener = await start({ signal: controller.signal, clock });
    const failure = caught(listener.waitForAuthorization(async () => 'no'));
    controller.abort();
    expect((await failure).code).toBe(ErrorCode.Cancelled);
    expect(clock.pending()).toBe(0);
    await expect(LoopbackRedirectListener.start({ state: STATE, signal: controller.signal })).rejects.toMatchObject({ code: ErrorCode.Cancelled });
  });

  it('ends with the error given to fail', async () => {
    const listener = await start();
    const failure = caught(listener.waitForAuthorization(async () => 'no'));
    listener.fail(new TeraSyncError(ErrorCode.LocalIo, 'no browser'));
    expect(await failure).toMatchObject({ code: ErrorCode.LocalIo, message: 'no browser' });
  });

  it('closes its port on dispose, answering a held page first', async () => {
    const listener = await start();
    const result = listener.waitForAuthorization(() => new Promise<never>(() => undefined));
    const page = callback(listener, { code: 'c', state: STATE });
    await settle(20);
    await listener.dispose();
    expect((await page).status).toBe(503);
    await expect(browse(listener.redirectUri)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    void result;
  });

  it('ends a wait nobody answered as Cancelled on dispose', async () => {
    const listener = await start();
    const failure = caught(listener.waitForAuthorization(async () => 'no'));
    await listener.dispose();
    expect((await failure).code).toBe(ErrorCode.Cancelled);
  });
});

describe('LoopbackRedirectListener with odd requests', () => {
  it('answers 404 to a request target that is not a path, and keeps waiting', async () => {
    const listener = await LoopbackRedirectListener.start({ state: STATE, scheduler: new FakeClock() });
    try {
      const { port } = new URL(listener.redirectUri);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: Number(port), path: 'http://[bad', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(404);
      const result = listener.waitForAuthorization(async ({ code }) => code);
      await callback(listener, { code: 'c', state: STATE });
      await expect(result).resolves.toBe('c');
    } finally {
      await listener.dispose();
    }
  });
});
