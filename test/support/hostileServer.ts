/**
 * A WebDAV server that misbehaves on cue. Each request takes the next scripted step (or the
 * fallback when the script is empty): answer anything, with any status, headers and body; cut
 * the connection before or in the middle of an answer; stall before the headers or in the
 * middle of a body. HTTP on loopback, or HTTPS with a throwaway self-signed certificate.
 *
 * Every request is recorded with its headers and body, so tests can check what the client sent.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface HostileRequest {
  method: string;
  /** As sent: percent-encoded. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering (real time). */
  delayMs?: number;
  /** Drop the connection (TCP reset) without answering. */
  reset?: boolean;
  /** Send the headers and this many body bytes, then reset the connection. */
  resetAfterBytes?: number;
  /** Send the headers and this many body bytes, then go silent (until stop()). */
  stallAfterBytes?: number;
  /**
   * Answer as soon as the request headers are in, without waiting for the request body (as
   * Apache does once it has Content-Length bytes). Only for a plain answer, not a function
   * step. The body is still read (and recorded) as it arrives.
   */
  early?: boolean;
}

export type Step = ScriptedAnswer | ((request: HostileRequest) => ScriptedAnswer);

export interface HostileServer {
  /** Base URL, ending in '/' (http://127.0.0.1:PORT/ or https://127.0.0.1:PORT/). */
  url: string;
  requests: HostileRequest[];
  /** Appends steps: one per coming request. */
  script(...steps: Step[]): void;
  /** What requests get once the script is used up (default: 500). */
  setFallback(step: Step): void;
  stop(): Promise<void>;
}

export interface HostileServerOptions {
  tls?: { key: string; cert: string };
}

export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const steps: Step[] = [];
  let fallback: Step = { status: 500, body: 'no scripted answer left' };
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    const request: HostileRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      body: Buffer.alloc(0),
    };
    requests.push(request);
    const step = steps.shift() ?? fallback;
    const answer = (chosen: ScriptedAnswer): void => {
      if (chosen.delayMs !== undefined && chosen.delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond(req, res, chosen);
        }, chosen.delayMs);
        timers.add(timer);
      } else {
        respond(req, res, chosen);
      }
    };
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      request.body = Buffer.concat(chunks);
    });
    req.on('error', () => undefined);
    if (typeof step !== 'function' && step.early) {
      answer(step);
      return;
    }
    // A scripted function runs once, when the whole body is in.
    req.on('end', () => answer(typeof step === 'function' ? step(request) : step));
  };

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle) : createHttpServer(handle);
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  server.on(options.tls ? 'secureConnection' : 'connection', onSocket);
  // A TLS handshake that fails never becomes a secure connection; keep its socket anyway.
  if (options.tls) server.on('connection', onSocket);
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    requests,
    script: (...more) => {
      steps.push(...more);
    },
    setFallback: (step) => {
      fallback = step;
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

function resetSocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function respond(req: IncomingMessage, res: ServerResponse, answer: ScriptedAnswer): void {
  if (answer.reset) {
    resetSocket(req.socket);
    return;
  }
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : (answer.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { 'Content-Length': String(body.length), ...answer.headers };
  res.writeHead(answer.status ?? 200, headers);
  const cut = answer.resetAfterBytes ?? answer.stallAfterBytes;
  if (cut === undefined) {
    res.end(body);
    return;
  }
  res.write(body.subarray(0, cut), () => {
    if (answer.resetAfterBytes !== undefined) {
      // Let the partial body leave before the reset, so the client sees bytes and then the cut.
      setTimeout(() => resetSocket(req.socket), 20);
    }
  });
}

// ---- helpers to write answers ----------------------------------------------------------------

export interface FakeResource {
  /** The href exactly as it should appear (already encoded, or deliberately not). */
  href: string;
  collection?: boolean;
  size?: number;
  etag?: string;
  lastModified?: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A 207 body in Apache mod_dav's style (lp1 namespace for the live properties). */
export function multistatus(resources: FakeResource[]): string {
  const responses = resources.map((resource) => {
    const props = [
      resource.collection ? '<D:resourcetype><D:collection/></D:resourcetype>' : '<D:resourcetype/>',
      resource.collection ? '' : `<D:getcontentlength>${resource.size ?? 0}</D:getcontentlength>`,
      `<D:getlastmodified>${resource.lastModified ?? 'Mon, 02 Jun 2025 10:00:00 GMT'}</D:getlastmodified>`,
      resource.etag === undefined ? '' : `<D:getetag>${escapeXml(resource.etag)}</D:getetag>`,
    ].join('');
    return `<D:response><D:href>${escapeXml(resource.href)}</D:href><D:propstat><D:prop>${props}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">${responses.join('')}</D:multistatus>\n`;
}

/** A scripted 207 answer. */
export function davAnswer(resources: FakeResource[]): ScriptedAnswer {
  return { status: 207, headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body: multistatus(resources) };
}

/** A self-signed certificate for 127.0.0.1, made with the openssl command. */
export async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'terasync-hostile-tls-'));
  try {
    const keyFile = join(directory, 'key.pem');
    const certFile = join(directory, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
