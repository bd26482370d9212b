/**
 * The app's end of the browser sign-in (RFC 8252 §7.3): an HTTP server on 127.0.0.1, on a
 * port the OS picks, whose `/callback` receives the authorization answer.
 *
 * - It takes exactly one answer: the first one whose `state` matches. An answer with a wrong
 *   or missing `state` is refused, shown as an error page, and ends the sign-in with an
 *   error: it is either a stale tab of an earlier sign-in or a forged request (CSRF), and
 *   waiting on after it would only let an attacker try again.
 * - An `error` answer (`access_denied`, ...) ends the sign-in with a clear message.
 * - The browser's request is held open while the caller turns the code into tokens
 *   (`waitForAuthorization`), so the page says "signed in" only when that worked, and shows
 *   the reason otherwise.
 * - Everything but `GET /callback` is 404. Pages are self-contained and never send the
 *   address (which holds the code) anywhere: no external resources, `Referrer-Policy`.
 * - It gives up after `timeoutMs` (default 5 minutes; a user may have to find a password),
 *   when `signal` aborts, or when `fail` is called, and `dispose` closes the server.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, TeraSyncError } from '../../../shared/errors.js';
import { systemScheduler, type Scheduler } from '../../core/time.js';
import { authorizationResponseError } from './oauthErrors.js';

export interface AuthorizationResponse {
  code: string;
  /** The `iss` parameter (RFC 9207), or null when the server sent none. */
  issuer: string | null;
}

export interface LoopbackRedirectListenerOptions {
  /** The `state` sent with the authorization request. */
  state: string;
  /** How long to wait for the browser. Default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For the wait's timeout. Default: systemScheduler. */
  scheduler?: Scheduler;
}

export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;
const CALLBACK_PATH = '/callback';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function answer(res: ServerResponse, status: number, title: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  const html =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'",
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(html);
}

const SUCCESS_TITLE = 'Signed in to TeraSync';
const SUCCESS_MESSAGE = 'You can close this tab and return to TeraSync.';
const FAILURE_TITLE = 'TeraSync sign-in failed';

function sameState(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Received {
  response: AuthorizationResponse;
  res: ServerResponse;
}

type Phase = 'waiting' | 'received' | 'ended';

export class LoopbackRedirectListener {
  /** `http://127.0.0.1:<port>/callback`. */
  readonly redirectUri: string;

  private phase: Phase = 'waiting';
  private readonly received: Promise<Received>;
  private resolveReceived!: (value: Received) => void;
  private rejectReceived!: (error: TeraSyncError) => void;
  private pendingAnswer: ServerResponse | null = null;
  private cancelTimer: () => void = () => undefined;
  private readonly onAbort = (): void => this.end(new TeraSyncError(ErrorCode.Cancelled, 'The sign-in was cancelled.'));
  private closing: Promise<void> | null = null;
  private waited = false;

  private constructor(
    private readonly server: Server,
    private readonly options: LoopbackRedirectListenerOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    this.received = new Promise<Received>((resolve, reject) => {
      this.resolveReceived = resolve;
      this.rejectReceived = reject;
    });
    // Nobody may be waiting yet when it fails; the failure is delivered by waitForAuthorization.
    this.received.catch(() => undefined);
    server.on('request', (req, res) => this.handle(req, res));

    const timeoutMs = options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
    this.cancelTimer = (options.scheduler ?? systemScheduler).schedule(timeoutMs, () => {
      const minutes = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)} min` : `${Math.round(timeoutMs / 1000)} s`;
      this.end(new TeraSyncError(ErrorCode.Timeout, `The sign-in was not completed in the browser within ${minutes}: start it again.`));
    });
    if (options.signal?.aborted) this.onAbort();
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Listens on 127.0.0.1, on a port the OS picks. */
  static async start(options: LoopbackRedirectListenerOptions): Promise<LoopbackRedirectListener> {
    if (options.signal?.aborted) throw new TeraSyncError(ErrorCode.Cancelled, 'The sign-in was cancelled.');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new TeraSyncError(ErrorCode.LocalIo, `TeraSync could not listen on 127.0.0.1 for the sign-in: ${error.message}`, { cause: error })));
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LoopbackRedirectListener(server, options);
  }

  /**
   * Waits for the browser's answer and hands the code to `complete` (the token exchange). The
   * browser's page then says "signed in" when `complete` resolves, or shows its error's
   * message. Rejects with the reason the wait ended (wrong state, an error answer, timeout,
   * cancellation, `fail`), or with `complete`'s error.
   */
  async waitForAuthorization<T>(complete: (response: AuthorizationResponse) => Promise<T>): Promise<T> {
    if (this.waited) throw new TeraSyncError(ErrorCode.InvalidRequest, 'A sign-in listener takes one answer: start a new sign-in.');
    this.waited = true;
    const { response, res } = await this.received;
    try {
      const value = await complete(response);
      answer(res, 200, SUCCESS_TITLE, SUCCESS_MESSAGE);
      return value;
    } catch (error) {
      const message = error instanceof TeraSyncError ? error.message : 'TeraSync could not complete the sign-in.';
      answer(res, 400, FAILURE_TITLE, message);
      throw error;
    } finally {
      this.pendingAnswer = null;
      this.phase = 'ended';
    }
  }

  /** Ends the wait with `error` (for example: the browser could not be opened). No effect once an answer arrived. */
  fail(error: TeraSyncError): void {
    this.end(error);
  }

  /** Stops waiting (as cancelled, if still waiting) and closes the server. */
  dispose(): Promise<void> {
    this.end(new TeraSyncError(ErrorCode.Cancelled, 'The sign-in was stopped.'));
    if (this.pendingAnswer !== null) answer(this.pendingAnswer, 503, FAILURE_TITLE, 'TeraSync stopped waiting for this sign-in: start it again.');
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private end(error: TeraSyncError): void {
    if (this.phase !== 'waiting') return;
    this.phase = 'ended';
    this.stopWaiting();
    this.rejectReceived(error);
  }

  private stopWaiting(): void {
    this.cancelTimer();
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL | null;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      url = null;
    }
    if (url === null || req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('Not found');
      return;
    }
    if (this.phase !== 'waiting') {
      answer(res, 409, FAILURE_TITLE, 'This sign-in has already ended. If TeraSync is not signed in, start the sign-in again.');
      return;
    }

    const params = url.searchParams;
    const states = params.getAll('state');
    if (states.length !== 1 || !sameState(states[0] ?? '', this.options.state)) {
      const error = new TeraSyncError(
        ErrorCode.InvalidRequest,
        'The browser brought back a sign-in answer that does not belong to this sign-in (its "state" does not match): ' +
          'it may come from an old browser tab or from a forged link. Start the sign-in again.',
      );
      answer(res, 400, FAILURE_TITLE, error.message);
      this.end(error);
      return;
    }

    const oauthError = params.get('error');
    if (oauthError !== null) {
      const error = authorizationResponseError(oauthError, params.get('error_description'));
      answer(res, 400, FAILURE_TITLE, error.message);
      this.end(error);
      return;
    }

    const codes = params.getAll('code');
    if (codes.length !== 1 || codes[0] === '') {
      const error = new TeraSyncError(ErrorCode.BadResponse, 'The sign-in server sent the browser back without an authorization code.');
      answer(res, 400, FAILURE_TITLE, error.message);
      this.end(error);
      return;
    }

    this.phase = 'received';
    this.stopWaiting();
    this.pendingAnswer = res;
    this.resolveReceived({ response: { code: codes[0] ?? '', issuer: params.get('iss') }, res });
  }
}
