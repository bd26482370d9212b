/**
 * ETag handling for the TeraCLOUD WebDAV server (Apache httpd + mod_dav).
 *
 * What the server does, and why this module exists:
 * - Apache hands out a weak tag (`W/"…"`) for a file written within the last second and a
 *   strong one (`"…"`, same opaque value) afterwards, so one unchanged file can show two tags.
 * - With mod_deflate / mod_brotli on, a compressed GET answers `"…-gzip"` / `"…-br"` (and
 *   `-deflate` on some builds): the same representation, another spelling.
 * - `If-Match` compares strongly, so sending a weak tag back always answers 412.
 *
 * So: compare tags with `normaliseEtag` (it forgets weakness, quotes and encoding suffixes),
 * and build `If-Match` only with `ifMatchHeader`, which refuses weak tags.
 *
 * `RemoteEntry.etag` keeps the tag exactly as the server sent it (trimmed): quotes kept, and
 * `W/` kept when weak, so that whoever reads it can still tell weak from strong.
 *
 * Shared: the planner compares tags with the same rule the store uses to build If-Match.
 */

const WEAK_PREFIX = /^w\//i;
const ENCODING_SUFFIX = /-(?:gzip|br|deflate)$/;

/** True for `W/"…"` (RFC 9110 spells it `W/`; a lower-case `w/` is accepted too). */
export function isWeakEtag(tag: string | null | undefined): boolean {
  return typeof tag === 'string' && WEAK_PREFIX.test(tag.trim());
}

/** True when the tag is present, not empty and not weak: only such a tag may go in If-Match. */
export function isStrongEtag(tag: string | null | undefined): tag is string {
  return typeof tag === 'string' && !isWeakEtag(tag) && normaliseEtag(tag) !== null;
}

/**
 * The opaque part of a tag: `W/"abc"`, `"abc"`, `abc`, `"abc-gzip"`, `W/"abc-br"` all give
 * `abc`. Null for null or an empty tag. Use it to compare tags, never to send one.
 */
export function normaliseEtag(tag: string | null | undefined): string | null {
  if (typeof tag !== 'string') return null;
  let value = tag.trim();
  if (WEAK_PREFIX.test(value)) value = value.slice(2).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  value = value.replace(ENCODING_SUFFIX, '');
  return value === '' ? null : value;
}

/** True when both tags are present and name the same content (weakness and suffixes ignored). */
export function sameEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = normaliseEtag(a);
  return left !== null && left === normaliseEtag(b);
}

/**
 * The `If-Match` value for a tag: the quoted strong form (`"abc"`, encoding suffix removed,
 * because mod_dav compares against its own tag, which never carries one). Null when the tag is
 * missing or weak: a weak tag sent back would always fail with 412.
 */
export function ifMatchHeader(tag: string | null | undefined): string | null {
  if (!isStrongEtag(tag)) return null;
  return `"${normaliseEtag(tag) ?? ''}"`;
}
