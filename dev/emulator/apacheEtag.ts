/**
 * ETags as Apache httpd 2.4 hands them out for files and folders (FileETag MTime Size, the
 * default): `"<size hex>-<mtime in microseconds hex>"`, checked against Apache 2.4 with
 * mod_dav_fs (test/support/apache.ts).
 *
 * Apache makes the tag weak (`W/"..."`) while the resource was modified within the last
 * second of the request (ap_make_etag: the mtime alone cannot tell two writes in the same
 * second apart), and strong afterwards, so one unchanged file shows two tags. mod_deflate
 * appends `-gzip` inside the quotes of a compressed answer.
 */
import type { BigIntStats } from 'node:fs';

export interface ApacheEtag {
  /** The opaque value without quotes: `25-66155916c5852`. */
  opaque: string;
  weak: boolean;
}

/** The tag of a resource with these stats, seen at `nowMs`. */
export function apacheEtag(stats: BigIntStats, nowMs: number): ApacheEtag {
  const mtimeMicroseconds = stats.mtimeNs / 1000n;
  const opaque = `${stats.size.toString(16)}-${mtimeMicroseconds.toString(16)}`;
  const ageMs = nowMs - Number(stats.mtimeNs / 1_000_000n);
  // Apache: strong only when the request started more than one second after the mtime.
  return { opaque, weak: !(ageMs > 1000) };
}

/** The header form: `W/"opaque"` or `"opaque"`, with `suffix` inside the quotes. */
export function formatEtag(tag: ApacheEtag, suffix = ''): string {
  return `${tag.weak ? 'W/' : ''}"${tag.opaque}${suffix}"`;
}

interface ParsedTag {
  weak: boolean;
  opaque: string;
}

/** The entity tags of an If-Match / If-None-Match value; `'*'` for the wildcard; null when unparsable. */
export function parseEtagList(header: string): ParsedTag[] | '*' | null {
  const trimmed = header.trim();
  if (trimmed === '*') return '*';
  const tags: ParsedTag[] = [];
  const pattern = /\s*(W\/)?"([^"]*)"\s*(?:,|$)/y;
  let position = 0;
  while (position < trimmed.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(trimmed);
    if (match === null) return null;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    position = pattern.lastIndex;
  }
  return tags.length > 0 ? tags : null;
}

/** The opaque values that name this resource: the plain tag and its compressed spelling. */
function spellings(tag: ApacheEtag): string[] {
  return [tag.opaque, `${tag.opaque}-gzip`];
}

/**
 * RFC 9110 13.1.1 with Apache's strong comparison: a weak tag on either side never matches.
 * `current` null means the resource does not exist (only then does `*` fail).
 */
export function ifMatchSatisfied(header: string, current: ApacheEtag | null): boolean {
  const tags = parseEtagList(header);
  if (current === null) return false;
  if (tags === '*') return true;
  if (tags === null || current.weak) return false;
  return tags.some((tag) => !tag.weak && spellings(current).includes(tag.opaque));
}

/** RFC 9110 13.1.2, weak comparison: true when the header names the current resource. */
export function ifNoneMatchMatches(header: string, current: ApacheEtag | null): boolean {
  if (current === null) return false;
  const tags = parseEtagList(header);
  if (tags === '*') return true;
  if (tags === null) return false;
  return tags.some((tag) => spellings(current).includes(tag.opaque));
}
