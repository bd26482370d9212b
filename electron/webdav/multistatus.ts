/**
 * Reads a PROPFIND / DELETE / MOVE 207 Multi-Status body into plain values, and refuses
 * anything that is not one: a listing built from a half-read answer would make files look
 * deleted on the server, so malformed, truncated or oddly shaped XML is a BadResponse, never a
 * shorter list (and never a TypeError).
 */
import { parseXML, type DAVResult, type WebDAVParsingContext } from 'webdav';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { describePath, type RequestDescription } from '../net/httpErrors.js';
import { createHash } from 'node:crypto';

export interface DavProps {
  isCollection: boolean;
  /** null when the server gave no (readable) getcontentlength. */
  size: number | null;
  /** null when the server gave no (readable) getlastmodified. */
  mtimeMs: number | null;
  /** As sent, trimmed (quotes and any `W/` kept); null when absent. */
  etag: string | null;
}

export interface DavResource {
  href: string;
  /** Status of the first propstat (or of the response itself when it has no propstat). */
  status: number;
  /** The properties, when `status` is 2xx. */
  props: DavProps | null;
}

// Keep every text value a string: fast-xml-parser would otherwise turn an unquoted ETag like
// `0x1f` or `12345678901234567890` into a (wrong) number. Returning undefined from a tag parser
// means "use the raw text". Numeric character references (`&#x65E5;`) are decoded by the
// entity decoder; DTD entities are not expanded.
const PARSING: WebDAVParsingContext = {
  attributeNamePrefix: '@',
  attributeParsers: [],
  tagParsers: [() => undefined],
  entityDecoder: { limit: { maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 } },
};

// fast-xml-parser is lenient: a body cut off mid-way still parses into a shorter result. A
// complete multistatus document ends with the root's end tag.
const ENDS_WITH_MULTISTATUS =
  /(?:<\/(?:[A-Za-z_][\w.-]*:)?multistatus\s*>|<(?:[A-Za-z_][\w.-]*:)?multistatus\b[^<>]*\/>)(?:\s|<!--[\s\S]*?-->)*$/;

function bad(request: RequestDescription, detail: string): TeraSyncError {
  return new TeraSyncError(
    ErrorCode.BadResponse,
    `The server's answer to ${request.method} ${describePath(request.path)} is not a valid WebDAV multistatus (${detail}).`,
  );
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value !== null && typeof value === 'object' && 'text' in value) return text((value as { text: unknown }).text);
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseStatusLine(line: string | null): number | null {
  if (line === null) return null;
  const match = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})\b/i.exec(line);
  return match ? Number.parseInt(match[1] ?? '', 10) : null;
}

function readProps(prop: unknown): DavProps {
  const props = isRecord(prop) ? prop : {};
  const resourcetype = props['resourcetype'];
  const isCollection = isRecord(resourcetype) && 'collection' in resourcetype;
  const lengthText = text(props['getcontentlength'])?.trim() ?? '';
  const size = /^\d+$/.test(lengthText) ? Number.parseInt(lengthText, 10) : null;
  const modifiedText = text(props['getlastmodified'])?.trim() ?? '';
  const modified = modifiedText === '' ? Number.NaN : Date.parse(modifiedText);
  const etagText = text(props['getetag'])?.trim() ?? '';
  return {
    isCollection,
    size: Number.isSafeInteger(size) ? size : null,
    mtimeMs: Number.isNaN(modified) ? null : modified,
    etag: etagText === '' ? null : etagText,
  };
}

/** Parses a 207 body. Throws a BadResponse TeraSyncError for anything but a complete multistatus. */
export async function parseMultistatus(xml: string, request: RequestDescription): Promise<DavResource[]> {
  if (!ENDS_WITH_MULTISTATUS.test(xml.trimEnd().slice(-4096))) throw bad(request, 'incomplete or not a multistatus document');
  let result: DAVResult;
  try {
    result = await parseXML(xml, PARSING);
  } catch (error) {
    throw new TeraSyncError(ErrorCode.BadResponse, bad(request, 'unreadable XML').message, { cause: error });
  }
  const responses: unknown = (result as { multistatus?: { response?: unknown } }).multistatus?.response;
  if (!Array.isArray(responses)) throw bad(request, 'no response list');
  const resources: DavResource[] = [];
  for (const response of responses) {
    if (!isRecord(response)) throw bad(request, 'a response is empty');
    // Status-only responses (RFC 4918, 14.24) may carry several hrefs: the first one names it.
    const hrefValue: unknown = response['href'];
    const href = text(Array.isArray(hrefValue) ? hrefValue[0] : hrefValue)?.trim() ?? '';
    if (href === '') throw bad(request, 'a response has no href');
    const propstat = response['propstat'];
    if (isRecord(propstat)) {
      const status = parseStatusLine(text(propstat['status']));
      if (status === null) throw bad(request, `no status for ${href}`);
      resources.push({ href, status, props: status >= 200 && status < 300 ? readProps(propstat['prop']) : null });
      continue;
    }
    const status = parseStatusLine(text(response['status']));
    if (status === null) throw bad(request, `neither propstat nor status for ${href}`);
    resources.push({ href, status, props: null });
  }
  return resources;
}

/**
 * A multistatus body's hash that does not depend on the order of its `<response>` elements
 * (some servers, webdav-server for one, list a folder in a different order each time).
 */
export function multistatusHash(body: string): string {
  // Split before each <response> and before the closing </multistatus>, so that no part
  // carries the closing tag along with whichever response happens to come last.
  const parts = body.split(/(?=<(?:[A-Za-z][\w.-]*:)?response[\s>]|<\/(?:[A-Za-z][\w.-]*:)?multistatus\s*>)/);
  const hash = createHash('sha1');
  for (const part of parts.sort()) hash.update(part).update('\0');
  return hash.digest('base64');
}
