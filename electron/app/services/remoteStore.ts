import type { Connection } from '../../auth/AccountService.js';
import type { Logger } from '../../core/logger.js';
import { WebDavRemoteStore } from '../../webdav/WebDavRemoteStore.js';

/** A store on `url` with the connection's sign-in and CA (the connection's own CA first, else `ca`). */
export function openRemoteStore(
  connection: Connection,
  url: string,
  concurrency: number,
  options: { ca: string | undefined; logger: Logger; bandwidth?: { uploadKiBps: number; downloadKiBps: number } },
): WebDavRemoteStore {
  const ca = connection.ca ?? options.ca;
  const bandwidth = options.bandwidth;
  return new WebDavRemoteStore({
    url,
    auth: connection.auth,
    ...(ca === undefined ? {} : { ca }),
    concurrency,
    ...(bandwidth === undefined ? {} : { bandwidth }),
    logger: options.logger,
  });
}
