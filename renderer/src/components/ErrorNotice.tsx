/**
 * A failure as the user reads it: every sentence in their language, from the error's code and
 * where it happened (a running sync tries again by itself, a button the user pressed does not,
 * the sign-in form), and a way to MyPage where the fix is made there (Apps connection, the
 * Apps password, capacity). The service's own message is never part of those sentences: it
 * stays behind a closed "Technical details" disclosure (and in the log, written by main).
 */
import type { Ref } from 'react';
import { ErrorCode, type ErrorInfo } from '../../../shared/errors.js';
import { useI18n, type ErrorSituation } from '../i18n/i18n.js';
import { myPageUrl } from '../links.js';
import { useApi } from '../state/hooks.js';

const fixedInMyPage: ReadonlySet<ErrorCode> = new Set([ErrorCode.Unauthorized, ErrorCode.Forbidden, ErrorCode.InsufficientStorage, ErrorCode.NodeNotFound]);

export interface ErrorNoticeProps {
  error: ErrorInfo;
  /** The heading above the sentence, when the place needs one ("Sign-in did not work"). */
  heading?: string;
  /**
   * Where it happened (see ErrorSituation); default 'action'. 'sync' also makes a refused
   * sign-in of a running pair say to sign in again.
   */
  context?: ErrorSituation;
  /** The account's WebDAV address, to link to the right brand's MyPage. */
  webdavUrl?: string | null;
  onRetry?: () => void;
  retryLabel?: string;
  onDismiss?: () => void;
  /** 'alert' announces it at once (after the user's own action); 'status' politely. */
  role?: 'alert' | 'status';
  /** The id of the notice's sentences (heading, title, advice): for a field's aria-describedby. */
  messageId?: string;
  /** The notice's box, focusable from script (tabIndex -1) when given: where the focus goes after a failure. */
  ref?: Ref<HTMLDivElement>;
  /** What to do, when the place knows better than the code's own advice (a backup retry armed, or not). */
  advice?: string;
}

export function ErrorNotice({ error, heading, context = 'action', webdavUrl, onRetry, retryLabel, onDismiss, role = 'alert', messageId, ref, advice }: ErrorNoticeProps) {
  const i18n = useI18n();
  const api = useApi();
  const text = context === 'sync' && error.code === ErrorCode.Unauthorized ? i18n.t.errors.signInUnauthorized : i18n.error(error.code, context);
  return (
    <div className="notice notice-error" role={role} ref={ref} tabIndex={ref === undefined ? undefined : -1}>
      <div id={messageId}>
        {heading !== undefined && <p className="notice-heading">{heading}</p>}
        <p className="notice-title">{text.title}</p>
        <p>{advice ?? text.advice}</p>
      </div>
      {error.message !== '' && error.message !== text.title && (
        <NoticeDetails text={error.message} />
      )}
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

/** A service's or file's own words (English), closed under the sentences that say what to do. */
export function NoticeDetails({ text }: { text: string }) {
  const { t } = useI18n();
  return (
    <details className="notice-details">
      <summary>{t.errorSituations.technicalDetails}</summary>
      <p className="notice-detail" lang="en">
        {text}
      </p>
    </details>
  );
}
