/**
 * Which URLs the window may show and which it may hand to the system browser. Pure functions,
 * so that the rules are tested under plain Node; electron/main/window.ts applies them.
 */

/**
 * True when `url` is our renderer page: the same file:// path as `rendererUrl` (query and hash
 * ignored, since they do not change which file runs). Anything else, another local file
 * included, is not ours.
 */
export function isRendererUrl(url: string, rendererUrl: string): boolean {
  let candidate: URL;
  let ours: URL;
  try {
    candidate = new URL(url);
    ours = new URL(rendererUrl);
  } catch {
    return false;
  }
  return candidate.protocol === 'file:' && candidate.host === ours.host && candidate.pathname === ours.pathname;
}

/**
 * The URL to open in the system browser, or null when it must not be opened: only URLs that
 * parse and are https: (no http:, file:, javascript:, custom protocols that launch programs),
 * and never with credentials in them.
 */
export function externalHttpsUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}
