/**
 * A failure as the user reads it: a sentence in their language that says what happened and
 * what to do (from the error's code), the service's own message as the detail, and a way to
 * MyPage where the fix is made there (Apps connection, the Apps password, capacity).
 */
import { ErrorCode, type ErrorInfo } from '../../../shared/errors.js';
import { useI18n } from '../i18n/i18n.js';
import { myPageUrl } from '../links.js';
import { useApi } from '../state/hooks.js';

const fixedInMyPage: ReadonlySet<ErrorCode> = new Set([ErrorCode.Unauthorized, ErrorCode.Forbidden, ErrorCode.InsufficientStorage]);

export interface ErrorNoticeProps {
  error: ErrorInfo;
  /** The heading above the sentence, when the place needs one ("Sign-in did not work"). */
  heading?: string;
  /** 'sync': a refused sign-in of a running pair, which is fixed by signing in again. */
  context?: 'signIn' | 'sync';
  /** The account's WebDAV address, to link to the right brand's MyPage. */
  webdavUrl?: string | null;
  onRetry?: () => void;
  retryLabel?: string;
  onDismiss?: () => void;
  /** 'alert' announces it at once (after the user's own action); 'status' politely. */
  role?: 'alert' | 'status';
  /** What to do, when the place knows better than the code's own advice (a backup retry armed, or not). */
  advice?: string;
}

export function ErrorNotice({ error, heading, context, webdavUrl, onRetry, retryLabel, onDismiss, role = 'alert', advice }: ErrorNoticeProps) {
  const i18n = useI18n();
  const api = useApi();
  const text = context === 'sync' && error.code === ErrorCode.Unauthorized ? i18n.t.errors.signInUnauthorized : i18n.error(error.code);
  return (
    <div className="notice notice-error" role={role}>
      {heading !== undefined && <p className="notice-heading">{heading}</p>}
      <p className="notice-title">{text.title}</p>
      <p>{advice ?? text.advice}</p>
      {error.message !== '' && error.message !== text.title && <p className="notice-detail">{i18n.t.errors.detail(error.message)}</p>}
      <div className="button-row">
        {fixedInMyPage.has(error.code) && (
          <button type="button" className="secondary" onClick={() => void api.openUrl({ url: myPageUrl(i18n.locale, webdavUrl) })}>
            {i18n.t.signIn.openMyPage}
          </button>
        )}
        {onRetry !== undefined && (
          <button type="button" onClick={onRetry}>
            {retryLabel ?? i18n.t.app.tryAgain}
          </button>
        )}
        {onDismiss !== undefined && (
          <button type="button" className="secondary" onClick={onDismiss}>
            {i18n.t.app.dismiss}
          </button>
        )}
      </div>
    </div>
  );
}
