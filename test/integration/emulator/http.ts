/**
 * Raw HTTP for the emulator tests: node:http with exactly the headers given (fetch would add
 * Accept-Encoding and undo gzip), a fresh connection per request, the body as bytes.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function send(url: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One response header as a string (an absent header is ''). */
export function headerOf(answer: RawResponse, name: string): string {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

export function basic(userId: string, password: string): string {
  return `Basic ${Buffer.from(`${userId}:${password}`, 'utf8').toString('base64')}`;
}

/** The getetag values of a PROPFIND answer, by href. */
export function etagsByHref(multistatus: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const response of multistatus.matchAll(/<D:response>([\s\S]*?)<\/D:response>/g)) {
    const href = /<D:href>([^<]*)<\/D:href>/.exec(response[1] ?? '')?.[1];
    const etag = /<D:getetag>([^<]*)<\/D:getetag>/.exec(response[1] ?? '')?.[1];
    if (href !== undefined && etag !== undefined) result.set(href, etag.replaceAll('&quot;', '"'));
  }
  return result;
}
