/**
 * Where an account lives: its storage node (`seto`), and from it the node's origin and the
 * WebDAV areas `/dav/`, `/v2/dav/` and `/backup/` (see docs/SERVICE.md, Hosts and paths).
 *
 * The user gives either the node name or the "WebDAV Connection URL" copied from MyPage, on
 * either domain of the service. Anything else is refused with a message that says what a valid
 * entry looks like. Only two exceptions reach other hosts: a loopback address (the emulator and
 * test servers, plain HTTP allowed there) and, when the caller passes `allowCustomHost`, any
 * HTTPS host (development). Both come back as provider 'custom' with the origin as given.
 *
 * Messages never repeat a user name or password found in a pasted URL.
 */
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { isLoopbackHost } from '../net/addresses.js';

export type Provider = 'teracloud' | 'infinicloud';

export const PROVIDER_DOMAINS: Readonly<Record<Provider, string>> = {
  teracloud: 'teracloud.jp',
  infinicloud: 'infini-cloud.net',
};

export interface NodeLocation {
  /** The node name (`seto`); for a custom origin, its host (`127.0.0.1:8080`). */
  node: string;
  /** https://seto.teracloud.jp, no trailing slash. */
  origin: string;
  /** origin + /dav/ (BASIC). */
  davUrl: string;
  /** origin + /v2/dav/ (OAuth2 bearer). */
  v2DavUrl: string;
  /** origin + /backup/ (BASIC). */
  backupUrl: string;
  provider: Provider | 'custom';
}

/** The WebDAV area a pasted URL points into. */
export type DavArea = 'dav' | 'v2dav' | 'backup';

/** A location read from a URL: also which area and which folder inside it ('' for its root). */
export interface WebDavLocation extends NodeLocation {
  area: DavArea;
  /** Decoded folder path below the area, without leading or trailing slash: 'Photos/2024'. */
  folder: string;
}

export interface NodeUrlOptions {
  /** Accept any HTTPS host as provider 'custom' (development and tests). Default false. */
  allowCustomHost?: boolean;
}

const NODE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EXAMPLE_URL = 'https://seto.teracloud.jp/dav/';
const URL_HINT = `Copy the "WebDAV Connection URL" from MyPage; it looks like ${EXAMPLE_URL} (or https://<node>.infini-cloud.net/dav/).`;
const NAME_HINT = 'A node name is the first part of your WebDAV address, e.g. "seto" in https://seto.teracloud.jp/dav/.';
/** Hosts of the service that are not storage nodes. */
const NOT_NODES: Readonly<Record<string, string>> = { api: 'the REST API server' };

const AREA_PATHS: readonly { area: DavArea; segments: readonly string[] }[] = [
  { area: 'v2dav', segments: ['v2', 'dav'] },
  { area: 'dav', segments: ['dav'] },
  { area: 'backup', segments: ['backup'] },
];

/** What the user typed or pasted is not a node name or WebDAV address: InvalidAddress, the message says why. */
function configuration(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.InvalidAddress, message);
}

function locationAt(origin: string, node: string, provider: Provider | 'custom'): NodeLocation {
  return { node, origin, davUrl: `${origin}/dav/`, v2DavUrl: `${origin}/v2/dav/`, backupUrl: `${origin}/backup/`, provider };
}

/** Why `name` (already trimmed and lowercased) is not a node name, or null. */
function nodeNameProblem(name: string): string | null {
  if (name === '') return 'The node name is empty.';
  if (name.length > 63) return `The node name has ${name.length} characters; at most 63 are possible.`;
  const bad = [...name].find((character) => !/^[a-z0-9-]$/.test(character));
  if (bad !== undefined) return `The node name contains ${bad === ' ' ? 'a space' : `"${bad}"`}; only letters, digits and hyphens are possible.`;
  if (!NODE_NAME.test(name)) return 'The node name cannot start or end with a hyphen.';
  const notNode = NOT_NODES[name];
  if (notNode !== undefined) return `"${name}" is ${notNode}, not a storage node.`;
  return null;
}

/** The location of node `name` (trimmed, lowercased) on `provider`'s domain. */
export function nodeFromName(name: string, provider: Provider = 'teracloud'): NodeLocation {
  const node = name.trim().toLowerCase();
  const problem = nodeNameProblem(node);
  if (problem !== null) throw configuration(`${problem} ${NAME_HINT}`);
  return locationAt(`https://${node}.${PROVIDER_DOMAINS[provider]}`, node, provider);
}

/** The provider whose domain `hostname` is under, with the labels before it. */
function providerOf(hostname: string): { provider: Provider; labels: string[] } | null {
  const host = hostname.replace(/\.$/, '');
  for (const [provider, domain] of Object.entries(PROVIDER_DOMAINS) as [Provider, string][]) {
    if (host === domain) return { provider, labels: [] };
    if (host.endsWith(`.${domain}`)) return { provider, labels: host.slice(0, -domain.length - 1).split('.') };
  }
  return null;
}

/** Area and decoded folder of a URL path, or a message. */
function areaAndFolder(pathname: string): { area: DavArea; folder: string } | string {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return { area: 'dav', folder: '' };
  const match = AREA_PATHS.find(({ segments: prefix }) => prefix.every((segment, index) => segments[index] === segment));
  if (match === undefined) return `The path must start with /dav/ (or /v2/dav/, /backup/). ${URL_HINT}`;
  const folder: string[] = [];
  for (const raw of segments.slice(match.segments.length)) {
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return 'The folder part of the address has a broken %-escape.';
    }
    if (name === '.' || name === '..' || /[/\\\0]/.test(name)) return `The folder part of the address has a name TeraSync cannot use: "${name}".`;
    folder.push(name);
  }
  return { area: match.area, folder: folder.join('/') };
}

/**
 * Reads a WebDAV URL as pasted from MyPage: `https://seto.teracloud.jp/dav/`, with or without
 * the trailing slash, with a sub-folder (`/dav/Photos/` → folder 'Photos'), `/v2/dav/` and
 * `/backup/`, either domain. A bare origin is its `/dav/` root; a missing `https://` is added.
 */
export function nodeFromWebDavUrl(text: string, options: NodeUrlOptions = {}): WebDavLocation {
  const trimmed = text.trim();
  if (trimmed === '') throw configuration(`The WebDAV address is empty. ${URL_HINT}`);
  let url: URL;
  try {
    url = new URL(trimmed.includes('://') ? trimmed : `https://${trimmed}`);
  } catch {
    throw configuration(`That is not a web address. ${URL_HINT}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw configuration(
      'The address contains a user name or password. Remove them from the address and enter your user ID and Apps password in their own fields. ' +
        URL_HINT,
    );
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!loopback) throw configuration(`${url.host} was given with plain http://: TeraSync only connects over https://. ${URL_HINT}`);
  } else if (url.protocol !== 'https:') {
    throw configuration(`"${url.protocol}" addresses are not WebDAV addresses TeraSync can use (https:// only). ${URL_HINT}`);
  }
  if (url.hostname === '') throw configuration(`The address has no host. ${URL_HINT}`);

  const placement = areaAndFolder(url.pathname);
  if (typeof placement === 'string') throw configuration(placement);

  const known = loopback ? null : providerOf(url.hostname);
  if (known !== null) {
    const domain = PROVIDER_DOMAINS[known.provider];
    if (known.labels.length !== 1) {
      throw configuration(
        known.labels.length === 0
          ? `${url.hostname} has no node name in front of ${domain}. ${URL_HINT}`
          : `${url.hostname} is not a storage node address (expected <node>.${domain}). ${URL_HINT}`,
      );
    }
    const node = known.labels[0] ?? '';
    const problem = nodeNameProblem(node);
    if (problem !== null) throw configuration(`${problem} ${URL_HINT}`);
    if (url.port !== '') throw configuration(`TeraCLOUD serves WebDAV on the standard HTTPS port, not on port ${url.port}. ${URL_HINT}`);
    return { ...locationAt(`https://${node}.${domain}`, node, known.provider), ...placement };
  }
  if (loopback || options.allowCustomHost === true) return { ...locationAt(url.origin, url.host, 'custom'), ...placement };
  throw configuration(`${url.host} is not a TeraCLOUD/InfiniCLOUD WebDAV address. ${URL_HINT}`);
}

/**
 * A node name (`seto`, `Seto `) or a URL (`https://seto.teracloud.jp/dav/`, also without
 * `https://`), whichever `text` is. A name is on `provider`'s domain (default TeraCLOUD).
 */
export function nodeFromUserInput(text: string, options: NodeUrlOptions & { provider?: Provider } = {}): WebDavLocation {
  const trimmed = text.trim();
  if (trimmed === '') throw configuration(`Enter your node name (e.g. "seto") or the WebDAV address from MyPage (e.g. ${EXAMPLE_URL}).`);
  if (/[:/.@]/.test(trimmed)) return nodeFromWebDavUrl(trimmed, options);
  return { ...nodeFromName(trimmed, options.provider), area: 'dav', folder: '' };
}
