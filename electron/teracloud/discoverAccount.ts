/**
 * Node discovery: ask the REST API who the user is and where their files live, and turn the
 * answer into a location TeraSync will connect to. The API is a convenience (a node keeps
 * serving WebDAV while the API server is down, docs/SERVICE.md), so every failure comes back as a
 * value with `fallback: 'manual'`: the caller then asks for the node name or the WebDAV URL
 * from MyPage (nodeFromUserInput) instead of stopping.
 *
 * The WebDAV URL in the answer is trusted only on the service's own domains, or on loopback /
 * any host when `allowCustomHost` is set (the emulator, development): the user's password is
 * sent to that host next, so an answer naming some other host is refused.
 */
import { ErrorCode, TeraSyncError, toTeraSyncError } from '../../shared/errors.js';
import { nodeFromWebDavUrl, type WebDavLocation } from './nodeUrls.js';
import type { TeraCloudUser, TeraCloudUserSource } from './TeraCloudApi.js';

export type AccountDiscovery =
  | { ok: true; user: TeraCloudUser; location: WebDavLocation }
  | { ok: false; error: TeraSyncError; fallback: 'manual' };

export interface DiscoverAccountOptions {
  /** Trust a WebDAV URL on loopback or any HTTPS host (emulator, development). Default false. */
  allowCustomHost?: boolean;
  signal?: AbortSignal;
}

export async function discoverAccount(api: TeraCloudUserSource, options: DiscoverAccountOptions = {}): Promise<AccountDiscovery> {
  let user: TeraCloudUser;
  try {
    user = await api.getUser(options.signal);
  } catch (error) {
    return { ok: false, error: toTeraSyncError(error, ErrorCode.Server), fallback: 'manual' };
  }
  let location: WebDavLocation;
  try {
    location = nodeFromWebDavUrl(user.webdavUrl, { allowCustomHost: options.allowCustomHost === true });
    if (location.provider === 'custom' && options.allowCustomHost !== true) {
      throw new TeraSyncError(ErrorCode.Configuration, `${new URL(location.origin).host} is not a TeraCLOUD/InfiniCLOUD host.`);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new TeraSyncError(
        ErrorCode.BadResponse,
        `TeraSync did not use the WebDAV address the TeraCLOUD API sent: ${reason} Enter your node name or WebDAV URL from MyPage instead.`,
        { cause: error },
      ),
      fallback: 'manual',
    };
  }
  return { ok: true, user, location };
}
