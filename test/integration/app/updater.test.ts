/**
 * The real electron-updater against a local HTTPS feed, as the app uses it: its AppImageUpdater
 * (the updater electron-updater picks on Linux) reads latest-linux.yml from a generic feed,
 * downloads the AppImage it names and checks its sha512 (base64, as electron-builder writes
 * it), driven through our port (electron/app/electronUpdaterPort.ts) and UpdateController.
 *
 * What is not the app's own: Electron cannot run here, so
 * - the updater gets a test AppAdapter (version 0.1.0, packaged, its config file and cache in a
 *   temporary folder) instead of Electron's `app`, which electron-updater takes as its second
 *   constructor argument; no `electron` module is needed, none is mocked;
 * - the HTTP transport is a Node https executor (builder-util-runtime's HttpExecutor, as
 *   electron-builder's own tests use) that trusts the test CA. In the app it is Electron's net
 *   module (ElectronHttpExecutor), which uses the system's certificate store; the requests,
 *   the redirects and the sha512 check are the same code either way;
 * - APPIMAGE names a stand-in for the running AppImage (the differential download reads the
 *   old file's block map, finds none, and falls back to a full download, as it does for a
 *   first update).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import electronUpdater from 'electron-updater';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { UpdateChannel, UpdateStateView } from '../../../shared/types.js';
import { createElectronUpdaterPort, type AppUpdaterLike } from '../../../electron/app/electronUpdaterPort.js';
import { UPDATE_RETRY_DELAYS_MS, UPDATE_START_DELAY_MS, UpdateController } from '../../../electron/app/UpdateController.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { FakeClock } from '../../support/fakeClock.js';
import { requireSystemTool } from '../../support/requirements.js';
import { makeTestCertificates, opensslAvailable, type TestCertificates } from '../../support/tlsServers.js';

const { AppImageUpdater } = electronUpdater;
const openssl = requireSystemTool('openssl', opensslAvailable());

/**
 * Node's https with the test CA trusted: the transport of these tests (see the header).
 * `download` is ElectronHttpExecutor's, line for line, over this request.
 */
class TrustingHttpExecutor extends HttpExecutor<ClientRequest> {
  constructor(private readonly ca: string) {
    super();
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions & { redirect: string } = { headers: options.headers ?? undefined, redirect: 'manual' };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error) => (error == null ? resolve(destination) : reject(error)),
          responseHandler: null,
        },
        0,
      );
    });
  }

  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return httpsRequest({ ...options, ca: this.ca }, callback);
  }
}

function sha512(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('base64');
}

/** The channel file as electron-builder writes it for an AppImage. */
function channelFile(version: string, file: string, bytes: Buffer): string {
  const hash = sha512(bytes);
  return [
    `version: ${version}`,
    'files:',
    `  - url: ${file}`,
    `    sha512: ${hash}`,
    `    size: ${bytes.length}`,
    `    blockMapSize: 0`,
    `path: ${file}`,
    `sha512: ${hash}`,
    `releaseDate: '2026-12-01T10:00:00.000Z'`,
    '',
  ].join('\n');
}

interface Feed {
  origin: string;
  /** Path (without query) -> what to answer. */
  files: Map<string, { status: number; body: Buffer | string }>;
  /** Paths asked for, without query. */
  requests: string[];
  stop(): Promise<void>;
}

async function startFeed(certificates: TestCertificates): Promise<Feed> {
  const files = new Map<string, { status: number; body: Buffer | string }>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: certificates.server.key, cert: certificates.server.cert }, (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    requests.push(path);
    const file = files.get(path);
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    const body = typeof file.body === 'string' ? Buffer.from(file.body) : file.body;
    // No range support: the differential download falls back to the whole file.
    response.writeHead(file.status, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    files,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

describe.skipIf(openssl.skip)('electron-updater against a local HTTPS feed', () => {
  let certificates: TestCertificates;
  let feed: Feed;
  let folder: string;
  const artifact = randomBytes(384 * 1024);
  const artifactName = 'TeraSync-0.2.0.AppImage';

  beforeAll(async () => {
    openssl.assertAvailable();
    certificates = await makeTestCertificates();
    feed = await startFeed(certificates);
  }, 60_000);

  afterAll(async () => {
    await feed?.stop();
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    feed.files.clear();
    feed.requests.length = 0;
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  function serveRelease(options: { channel?: string; version?: string; served?: Buffer } = {}): void {
    const version = options.version ?? '0.2.0';
    const name = `TeraSync-${version}.AppImage`;
    feed.files.set(`/feed/${options.channel ?? 'latest'}-linux.yml`, { status: 200, body: channelFile(version, name, artifact) });
    // The Windows feed file beside it, as a release publishes both: a Linux app never reads it.
    feed.files.set('/feed/latest.yml', { status: 200, body: channelFile(version, `TeraSync-Setup-${version}.exe`, artifact) });
    feed.files.set(`/feed/${name}`, { status: 200, body: options.served ?? artifact });
  }

  /** A real AppImageUpdater for an app at version 0.1.0, with the feed's CA trusted. */
  async function makeUpdater(feedUrl = `${feed.origin}/feed/`) {
    folder = await mkdtemp(join(tmpdir(), 'terasync-updater-'));
    const running = join(folder, 'TeraSync-0.1.0.AppImage');
    await writeFile(running, randomBytes(64 * 1024));
    vi.stubEnv('APPIMAGE', running);
    const configFile = join(folder, 'app-update.yml');
    // What electron-builder writes into resources/app-update.yml from electron-builder.yml's publish section.
    await writeFile(configFile, `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: terasync-updater\n`);
    await mkdir(join(folder, 'userData'));
    const adapter = {
      version: '0.1.0',
      name: 'TeraSync',
      isPackaged: true,
      appUpdateConfigPath: configFile,
      userDataPath: join(folder, 'userData'),
      baseCachePath: join(folder, 'cache'),
      whenReady: () => Promise.resolve(),
      relaunch: () => undefined,
      quit: () => undefined,
      onQuit: () => undefined,
    };
    const updater = new AppImageUpdater(null, adapter);
    (updater as unknown as { httpExecutor: HttpExecutor<ClientRequest> }).httpExecutor = new TrustingHttpExecutor(certificates.ca);
    const errors: Error[] = [];
    updater.on('error', (error: Error) => errors.push(error));
    const installs: string[] = [];
    const port = createElectronUpdaterPort({
      updater: updater as unknown as AppUpdaterLike,
      unavailable: null,
      logger: silentLogger,
      install: async () => {
        installs.push('install');
      },
    });
    return { updater, port, errors, installs, pendingFolder: join(folder, 'cache', 'terasync-updater', 'pending') };
  }

  function controllerFor(port: ReturnType<typeof createElectronUpdaterPort>, channel: UpdateChannel = 'stable') {
    const clock = new FakeClock();
    const states: UpdateStateView[] = [];
    const controller = new UpdateController({ port, clock, scheduler: clock, logger: silentLogger, busy: () => null, onChange: (state) => states.push(state) });
    controller.start({ enabled: true, channel });
    return { clock, controller, states };
  }

  it('finds the newer version, downloads it and verifies its sha512: the file is the one published', async () => {
    serveRelease();
    const { port, pendingFolder, errors } = await makeUpdater();
    port.setChannel('stable');
    expect(await port.check()).toBe('0.2.0');
    const progress: number[] = [];
    await port.download((percent) => progress.push(percent));
    expect(progress.at(-1)).toBe(100);
    const downloaded = await readFile(join(pendingFolder, artifactName));
    expect(downloaded.equals(artifact)).toBe(true);
    expect(sha512(downloaded)).toBe(sha512(artifact));
    expect(errors).toEqual([]);
    expect(feed.requests).toContain('/feed/latest-linux.yml');
    expect(feed.requests).not.toContain('/feed/latest.yml');
    expect(feed.requests).toContain(`/feed/${artifactName}`);
  }, 30_000);

  it('offers the update through the controller, and installs it on the user\'s word only', async () => {
    serveRelease();
    const { port, installs } = await makeUpdater();
    const { clock, controller, states } = controllerFor(port);
    await clock.advance(UPDATE_START_DELAY_MS);
    await vi.waitFor(() => expect(controller.state.phase).toBe('ready'), { timeout: 20_000 });
    expect(controller.state.version).toBe('0.2.0');
    expect(states.map((state) => state.phase)).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready']));
    expect(installs).toEqual([]);
    controller.restartToUpdate();
    expect(installs).toEqual(['install']);
  }, 30_000);

  it('reports no update when the feed has the running version', async () => {
    serveRelease({ version: '0.1.0' });
    const { port } = await makeUpdater();
    port.setChannel('stable');
    expect(await port.check()).toBeNull();
  }, 30_000);

  it('reads the beta channel file on the beta channel', async () => {
    serveRelease({ channel: 'beta', version: '0.3.0-beta.1' });
    const { port } = await makeUpdater();
    port.setChannel('beta');
    expect(await port.check()).toBe('0.3.0-beta.1');
    expect(feed.requests).toContain('/feed/beta-linux.yml');
    // On the stable channel that beta does not exist.
    port.setChannel('stable');
    await expect(port.check()).rejects.toMatchObject({ code: ErrorCode.NotFound });
  }, 30_000);

  it('refuses a tampered artifact (bytes changed, yml unchanged) with a sha512 error and keeps nothing as ready', async () => {
    const tampered = Buffer.from(artifact);
    tampered[1000] = tampered[1000]! ^ 0xff;
    serveRelease({ served: tampered });
    const { port, pendingFolder, errors } = await makeUpdater();
    const { clock, controller } = controllerFor(port);
    await clock.advance(UPDATE_START_DELAY_MS);
    await vi.waitFor(() => expect(controller.state.problem).not.toBeNull(), { timeout: 20_000 });
    expect(controller.state).toMatchObject({ phase: 'idle', version: null, problem: { code: ErrorCode.BadResponse } });
    expect(controller.state.problem?.message).toMatch(/sha512/);
    expect(errors.some((error) => /sha512 checksum mismatch/.test(error.message))).toBe(true);
    // Nothing downloaded is kept to be installed.
    const kept = existsSync(pendingFolder) ? await readdir(pendingFolder) : [];
    expect(kept.filter((name) => name.endsWith('.AppImage'))).toEqual([]);
    expect(() => controller.restartToUpdate()).toThrow(/No update is ready/);
    // Tried again later, quietly: the next attempt downloads the file again, and now it matches.
    expect(clock.pending()).toBe(1);
    serveRelease();
    await clock.advance(UPDATE_RETRY_DELAYS_MS[0]!);
    await vi.waitFor(() => expect(controller.state.phase).toBe('ready'), { timeout: 20_000 });
    expect((await readFile(join(pendingFolder, artifactName))).equals(artifact)).toBe(true);
  }, 40_000);

  it('a feed answering 503 is a quiet problem, tried again after the backoff, one request per attempt', async () => {
    feed.files.set('/feed/latest-linux.yml', { status: 503, body: 'down for maintenance' });
    const { port } = await makeUpdater();
    const { clock, controller, states } = controllerFor(port);
    await clock.advance(UPDATE_START_DELAY_MS);
    await vi.waitFor(() => expect(controller.state.problem).not.toBeNull(), { timeout: 20_000 });
    expect(controller.state).toMatchObject({ phase: 'idle', problem: { code: ErrorCode.Server } });
    expect(feed.requests.filter((path) => path === '/feed/latest-linux.yml')).toHaveLength(1);
    expect(controller.state.nextCheckAt).toBe(clock.now() + UPDATE_RETRY_DELAYS_MS[0]!);
    expect(clock.pending()).toBe(1);
    await clock.advance(UPDATE_RETRY_DELAYS_MS[0]!);
    await vi.waitFor(() => expect(feed.requests.filter((path) => path === '/feed/latest-linux.yml')).toHaveLength(2), { timeout: 20_000 });
    await vi.waitFor(() => expect(controller.state.phase).toBe('idle'), { timeout: 20_000 });
    expect(controller.state.nextCheckAt).toBe(clock.now() + UPDATE_RETRY_DELAYS_MS[1]!);
    // Only background phases were told: nothing that asks or interrupts the user.
    expect(new Set(states.map((state) => state.phase))).toEqual(new Set(['idle', 'checking']));
  }, 40_000);

  it('a feed that refuses connections is a quiet network problem with one retry timer', async () => {
    // A port nothing listens on: bind one, then close it.
    const closed = await startFeed(certificates);
    await closed.stop();
    const { port } = await makeUpdater(`${closed.origin}/feed/`);
    const { clock, controller, states } = controllerFor(port);
    await clock.advance(UPDATE_START_DELAY_MS);
    await vi.waitFor(() => expect(controller.state.problem).not.toBeNull(), { timeout: 20_000 });
    expect(controller.state).toMatchObject({ phase: 'idle', problem: { code: ErrorCode.Network } });
    expect(clock.pending()).toBe(1);
    expect(new Set(states.map((state) => state.phase))).toEqual(new Set(['idle', 'checking']));
  }, 40_000);
});
