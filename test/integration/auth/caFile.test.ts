/**
 * readCaFile on real files holding real certificates (throwaway CAs made with openssl): what
 * the user gets for the CA file they picked, good or not. Each refusal is a coded error whose
 * message names the file and says what to do.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CA_FILE_BYTES, nodeCaFileSystem, parseCaCertificates, readCaFile } from '../../../electron/auth/caFile.js';
import { ErrorCode } from '../../../shared/errors.js';
import { requireSystemTool } from '../../support/requirements.js';
import { makeTestCertificates, opensslAvailable, type TestCertificates } from '../../support/tlsServers.js';
import { failure } from '../../support/failure.js';

const openssl = requireSystemTool('openssl', opensslAvailable());

let certificates: TestCertificates;
let folder: string;

beforeAll(async () => {
  openssl.assertAvailable();
  certificates = await makeTestCertificates();
  folder = await mkdtemp(join(tmpdir(), 'terasync-ca-file-'));
});

afterAll(async () => {
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const filePath = join(folder, name);
  await writeFile(filePath, content);
  return filePath;
}

/** The subjects of the certificates in PEM text, in order. */
function subjects(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block).subject);
}

describe.skipIf(openssl.skip)('readCaFile', () => {
  it('gives the certificate of a PEM file', async () => {
    const pem = await readCaFile(await file('ca.pem', certificates.ca));
    expect(subjects(pem)).toEqual(['CN=TeraSync TLS test CA']);
    expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(certificates.ca).fingerprint256);
  });

  it('gives every certificate of a bundle, without the text around them, also with Windows line ends', async () => {
    const bundle = `Our private CA\n${certificates.ca}\nand the other one:\n${certificates.otherCa}`.replace(/\n/g, '\r\n');
    const pem = await readCaFile(await file('bundle.crt', bundle));
    expect(subjects(pem)).toEqual(['CN=TeraSync TLS test CA', 'CN=TeraSync TLS test other CA']);
    expect(pem).not.toContain('Our private CA');
  });

  it('a file that does not exist: Configuration, saying to pick it again', async () => {
    const missing = join(folder, 'moved-away.pem');
    const error = await failure(readCaFile(missing));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain(missing);
    expect(error.message).toContain('does not exist');
    expect(error.message).toContain('pick the certificate file again');
  });

  it('a folder instead of a file: Configuration, saying to pick the file itself', async () => {
    const subfolder = join(folder, 'certificates');
    await mkdir(subfolder, { recursive: true });
    const error = await failure(readCaFile(subfolder));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('is a folder');
  });

  it('a file the system refuses to read (EACCES, simulated: CI runs as root, which may read any file): LocalIo', async () => {
    const locked = await file('refused.pem', certificates.ca);
    const error = await failure(
      readCaFile(locked, {
        ...nodeCaFileSystem,
        readFile: () => Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${locked}'`), { code: 'EACCES' })),
      }),
    );
    expect(error.code).toBe(ErrorCode.LocalIo);
    expect(error.message).toContain(`The CA file ${locked} could not be read (EACCES)`);
    expect(error.message).toContain('check that your user may read it');
  });

  it('a file larger than 1 MiB: Configuration, without reading it', async () => {
    const large = await file('large.pem', certificates.ca);
    await truncate(large, MAX_CA_FILE_BYTES + 1);
    let read = false;
    const error = await failure(
      readCaFile(large, {
        ...nodeCaFileSystem,
        readFile: (path) => {
          read = true;
          return nodeCaFileSystem.readFile(path);
        },
      }),
    );
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain(large);
    expect(error.message).toContain('1.0 MiB');
    expect(error.message).toContain('not another file');
    expect(read).toBe(false);
  });

  it('exactly 1 MiB is still read (a bundle with a long comment)', async () => {
    const padded = `${certificates.ca}\n${'#'.repeat(MAX_CA_FILE_BYTES - certificates.ca.length - 1)}`;
    expect(Buffer.byteLength(padded)).toBe(MAX_CA_FILE_BYTES);
    expect(subjects(await readCaFile(await file('padded.pem', padded)))).toEqual(['CN=TeraSync TLS test CA']);
  });

  it.each([
    ['a text file', 'these are my notes\n'],
    ['an empty file', ''],
    ['a certificate in binary (DER) form', 'der'],
  ])('not a PEM certificate (%s): Configuration, saying what the file must hold', async (name, content) => {
    const bytes = content === 'der' ? new X509Certificate(certificates.ca).raw : content;
    const path = await file(`not-pem-${name.replace(/\W+/g, '-')}.cer`, bytes);
    const error = await failure(readCaFile(path));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain(`The CA file ${path} is not a PEM certificate`);
    expect(error.message).toContain('-----BEGIN CERTIFICATE-----');
    expect(error.message).toContain('openssl x509 -inform der');
  });

  it('a damaged certificate block: Configuration, naming which certificate', async () => {
    const damaged = '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const path = await file('damaged.pem', `${certificates.ca}${damaged}`);
    const error = await failure(readCaFile(path));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('is not a usable PEM certificate');
    expect(error.message).toContain('Certificate 2 of 2 could not be read');
  });

  it('a file with a private key in it: Configuration, and the key is not repeated', async () => {
    const path = await file('server-with-key.pem', `${certificates.server.cert}${certificates.server.key}`);
    const error = await failure(readCaFile(path));
    expect(error.code).toBe(ErrorCode.Configuration);
    expect(error.message).toContain('holds a private key');
    const keyBody = certificates.server.key.split('\n')[1]!;
    expect(error.message).not.toContain(keyBody);
  });
});

describe.skipIf(openssl.skip)('parseCaCertificates', () => {
  it('names what it was given in its messages', () => {
    expect(() => parseCaCertificates('nothing', 'The pasted text')).toThrow('The pasted text is not a PEM certificate');
  });
});
