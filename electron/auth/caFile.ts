/**
 * A private CA the user trusts for their account, besides the system roots: the PEM file they
 * picked in the sign-in's advanced options (or passed on the command line), checked before
 * anything is kept or trusted.
 *
 * Only certificates are taken. A file that also holds a private key is refused: the key is a
 * secret, and TeraSync keeps the certificate text in account.json, which is not the place for
 * one (nor does trusting a CA ever need its key).
 */
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ErrorCode, TeraSyncError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';

/** A CA file is a few KiB; a whole system bundle is about 200 KiB. More is not a certificate file. */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

export interface CaFileSystem {
  stat(path: string): Promise<{ isFile(): boolean; size: number }>;
  readFile(path: string): Promise<Buffer>;
}

export const nodeCaFileSystem: CaFileSystem = {
  stat: (path) => stat(path),
  readFile: (path) => readFile(path),
};

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_MARKER = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** True when `text` holds a PEM private key (of any kind: PKCS#8, RSA, EC, encrypted). */
export function holdsPrivateKey(text: string): boolean {
  return PRIVATE_KEY_MARKER.test(text);
}

function configuration(message: string): TeraSyncError {
  return new TeraSyncError(ErrorCode.Configuration, message);
}

/**
 * The certificates of PEM text, each block checked by parsing it, joined one per block: what
 * TeraSync keeps and trusts. `source` names the text for messages ("The CA file /x/ca.pem").
 * Throws Configuration saying what to do when there is no certificate, one is damaged, or the
 * text holds a private key.
 */
export function parseCaCertificates(text: string, source = 'The CA certificate'): string {
  if (holdsPrivateKey(text)) {
    throw configuration(
      `${source} holds a private key. TeraSync needs only the CA's certificate, and a private key must not be handed to other programs: ` +
        'export the certificate alone (the part from "-----BEGIN CERTIFICATE-----" to "-----END CERTIFICATE-----") and pick that file.',
    );
  }
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw configuration(
      `${source} is not a PEM certificate: TeraSync needs the CA's certificate as text that starts with "-----BEGIN CERTIFICATE-----". ` +
        'A binary (DER) .cer or .crt file can be converted with: openssl x509 -inform der -in <file> -out ca.pem',
    );
  }
  const certificates = blocks.map((block, index) => {
    try {
      return new X509Certificate(block).toString().trim();
    } catch (error) {
      const which = blocks.length === 1 ? 'Its certificate' : `Certificate ${index + 1} of ${blocks.length}`;
      throw new TeraSyncError(
        ErrorCode.Configuration,
        `${source} is not a usable PEM certificate. ${which} could not be read (${(error as Error).message}): export the certificate from its source again.`,
        { cause: error },
      );
    }
  });
  return `${certificates.join('\n')}\n`;
}

/**
 * The certificates in the PEM file at `path` (see parseCaCertificates), for a CA the user
 * picked. Rejects with a TeraSyncError that says what to do: Configuration when the file is
 * missing, is a folder, is larger than 1 MiB or is not a PEM certificate; LocalIo when it
 * cannot be read.
 */
export async function readCaFile(path: string, fileSystem: CaFileSystem = nodeCaFileSystem): Promise<string> {
  const source = `The CA file ${path}`;
  let bytes: Buffer;
  try {
    const info = await fileSystem.stat(path);
    if (!info.isFile()) throw configuration(`${path} is a folder, not a certificate file: pick the CA's PEM file itself.`);
    // Checked before reading, so that a wrong pick (a video, a disk image) is not read into memory.
    if (info.size > MAX_CA_FILE_BYTES) throw tooLarge(source, info.size);
    bytes = await fileSystem.readFile(path);
  } catch (error) {
    if (error instanceof TeraSyncError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new TeraSyncError(ErrorCode.Configuration, `${source} does not exist (it may have been moved or deleted): pick the certificate file again.`, {
        cause: error,
      });
    }
    throw new TeraSyncError(
      ErrorCode.LocalIo,
      `${source} could not be read (${code ?? (error as Error).message}): check that your user may read it, or copy it to your own folder and pick the copy.`,
      { cause: error },
    );
  }
  // The file may have grown between the two calls.
  if (bytes.length > MAX_CA_FILE_BYTES) throw tooLarge(source, bytes.length);
  return parseCaCertificates(bytes.toString('utf8'), source);
}

function tooLarge(source: string, size: number): TeraSyncError {
  return configuration(
    `${source} is ${formatBytes(size)}, more than a certificate file can be (at most ${formatBytes(MAX_CA_FILE_BYTES)}): pick the CA's PEM certificate, not another file.`,
  );
}
