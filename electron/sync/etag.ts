/**
 * ETag identity. Apache (and so TeraCLOUD) sends the same unchanged file's tag in several
 * spellings: weak (`W/"…"`) for a file written within the last second and strong afterwards,
 * and with a `-gzip` (mod_deflate) or `-br` (mod_brotli) suffix on compressed answers. None of
 * these is a change of content by itself, so tags are compared in this normal form.
 */
export function normaliseEtag(tag: string | null | undefined): string | null {
  if (tag === null || tag === undefined) return null;
  let value = tag.trim();
  if (value.startsWith('W/')) value = value.slice(2);
  value = value.replace(/^"+|"+$/g, '');
  value = value.replace(/-(gzip|br|deflate)$/, '');
  return value === '' ? null : value;
}

/** A weak tag must never be sent in If-Match: the server compares strongly and answers 412. */
export function isStrongEtag(tag: string | null | undefined): tag is string {
  return typeof tag === 'string' && tag.trim() !== '' && !tag.trim().startsWith('W/');
}
