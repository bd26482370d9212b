/**
 * An HTTP proxy on loopback in front of a real WebDAV server (plain HTTP: the in-process
 * webdav-server, or Apache started with `https: false`) that changes what the server is asked
 * for ranges, so the server itself answers as a less capable one would:
 *
 * - 'ignore-range': drops `Range` and `If-Range`, so every GET is answered 200 with the whole
 *   file, as by a server (or a proxy) that ignores Range;
 * - 'short-range': asks for at most the first half (rounded up) of every closed range
 *   `bytes=a-b`, so the server answers a 206 with fewer bytes than the client asked for.
 *
 * Everything else passes through untouched, streamed both ways. Every request is recorded
 * with the Range the client sent and the status the server answered.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RangeProxyMode = 'ignore-range' | 'short-range';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The Range header as the client sent it. */
  range: string | undefined;
  /** The Range header as the server got it. */
  forwardedRange: string | undefined;
  status?: number;
}

export interface RangeProxy {
  /** `http://127.0.0.1:PORT` (no trailing slash): put the origin's path after it. */
  origin: string;
  requests: ProxiedRequest[];
  stop(): Promise<void>;
}

export async function startRangeProxy(target: string, mode: RangeProxyMode): Promise<RangeProxy> {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:') throw new Error(`the range proxy forwards plain HTTP only, not ${upstream.protocol}`);
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: upstream.host };
    const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    if (req.method === 'GET' && range !== undefined) {
      if (mode === 'ignore-range') {
        delete headers['range'];
        delete headers['if-range'];
      } else {
        const closed = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
        if (closed) {
          const first = Number(closed[1]);
          const last = Number(closed[2]);
          headers['range'] = `bytes=${first}-${first + Math.ceil((last - first + 1) / 2) - 1}`;
        }
      }
    }
    const forwarded = headers['range'];
    const record: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '', range, forwardedRange: typeof forwarded === 'string' ? forwarded : undefined };
    requests.push(record);
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    forward.on('error', () => res.destroy());
    req.on('error', () => forward.destroy());
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
