/**
 * The Electron security rules (docs/ARCHITECTURE.md, Electron security), checked the way Electronegativity checks an
 * app, without the Electron binary (it cannot run here): the window module runs against fakes
 * of the Electron objects that record what was asked of them, every source file of the
 * Electron side is scanned for a relaxed setting, and the renderer's Content-Security-Policy
 * is read from its page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const recorded = vi.hoisted(() => ({
  windows: [] as Array<Record<string, unknown>>,
  opened: [] as string[],
}));

vi.mock('electron', () => {
  class BrowserWindow {
    constructor(options: Record<string, unknown>) {
      recorded.windows.push(options);
    }
    once(): void {}
    loadFile(): Promise<void> {
      return Promise.resolve();
    }
  }
  return {
    BrowserWindow,
    shell: {
      openExternal: async (url: string) => {
        recorded.opened.push(url);
      },
    },
  };
});

const { createMainWindow, denyAllPermissions, guardWebContents } = await import('../../../../electron/main/window.js');

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const RENDERER = 'file:///opt/TeraSync/resources/app.asar/dist/renderer/index.html';

type Listener = (...args: unknown[]) => unknown;

/** A WebContents that keeps its listeners and window-open handler. */
function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  return {
    on(event: string, listener: Listener) {
      listeners.set(event, listener);
      return this;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      openHandler = handler;
    },
    emit(event: string, ...args: unknown[]) {
      const listener = listeners.get(event);
      if (!listener) throw new Error(`nothing listens to ${event}`);
      listener(...args);
    },
    open(url: string) {
      if (!openHandler) throw new Error('no window-open handler');
      return openHandler({ url });
    },
  };
}

function navigation(url: string): { url: string; preventDefault(): void; prevented: boolean } {
  const event = {
    url,
    prevented: false,
    preventDefault() {
      event.prevented = true;
    },
  };
  return event;
}

beforeEach(() => {
  recorded.windows.length = 0;
  recorded.opened.length = 0;
});

describe('every window', () => {
  it('is isolated and sandboxed, with Node kept out of every frame and worker', () => {
    createMainWindow({ preloadPath: '/app/dist/preload/index.cjs', rendererHtmlPath: '/app/dist/renderer/index.html' });
    expect(recorded.windows).toHaveLength(1);
    const preferences = recorded.windows[0]!.webPreferences as Record<string, unknown>;
    expect(preferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
    // Settings Electronegativity flags when present at all.
    for (const risky of ['experimentalFeatures', 'enableBlinkFeatures', 'enableRemoteModule', 'webgl', 'plugins']) {
      expect(preferences, risky).not.toHaveProperty(risky);
    }
    expect(preferences.preload).toBe('/app/dist/preload/index.cjs');
  });
});

describe('every web page', () => {
  it('cannot navigate away: other pages are refused, an https: link goes to the system browser', () => {
    const contents = fakeContents();
    guardWebContents(contents as never, RENDERER);
    const own = navigation(RENDERER);
    contents.emit('will-navigate', own);
    expect(own.prevented).toBe(false);
    for (const url of ['https://teracloud.jp/', 'http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)']) {
      const away = navigation(url);
      contents.emit('will-navigate', away);
      expect(away.prevented, url).toBe(true);
    }
    // Only the parsed https: address was handed to the browser.
    expect(recorded.opened).toEqual(['https://teracloud.jp/']);
  });

  it('never opens a new window, never attaches a webview', () => {
    const contents = fakeContents();
    guardWebContents(contents as never, RENDERER);
    expect(contents.open('https://teracloud.jp/help')).toEqual({ action: 'deny' });
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(contents.open('https://user:secret@example.com/')).toEqual({ action: 'deny' });
    expect(recorded.opened).toEqual(['https://teracloud.jp/help']);
    const attach = navigation('about:blank');
    contents.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
  });

  it('is granted no permission', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    denyAllPermissions({
      setPermissionRequestHandler: (handler: typeof request) => {
        request = handler;
      },
      setPermissionCheckHandler: (handler: typeof check) => {
        check = handler;
      },
    } as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      request!(null, permission, (answer) => {
        granted = answer;
      });
      expect(granted, permission).toBe(false);
    }
    expect(check!()).toBe(false);
  });
});

describe('the sources', () => {
  /** Every TypeScript file of the Electron side and the renderer. */
  function sources(folder: string): string[] {
    return readdirSync(join(repo, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name));
  }

  it('never relax a security setting anywhere (the checks Electronegativity makes)', () => {
    const relaxed = [
      /nodeIntegration(?:InWorker|InSubFrames)?\s*:\s*true/,
      /contextIsolation\s*:\s*false/,
      /sandbox\s*:\s*false/,
      /webSecurity\s*:\s*false/,
      /allowRunningInsecureContent\s*:\s*true/,
      /webviewTag\s*:\s*true/,
      /experimentalFeatures\s*:\s*true/,
      /enableBlinkFeatures/,
      /\bopenDevTools\s*\(/,
      /\binsertCSS\s*\(|\bexecuteJavaScript\s*\(/,
      /setPermissionRequestHandler\([^)]*callback\(true\)/,
      /\bremote\b.*require\(/,
    ];
    const files = [...sources('electron'), ...sources('renderer')];
    expect(files.length).toBeGreaterThan(20);
    const findings = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return relaxed.filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern}`);
    });
    expect(findings).toEqual([]);
  });

  it('call shell.openExternal only right after an https: check', () => {
    const calls = sources('electron').flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/shell\.openExternal\(/g)].map((match) => ({
        where: `${file.slice(repo.length + 1)}:${text.slice(0, match.index).split('\n').length}`,
        // The code just before the call, in the same function.
        before: text.slice(Math.max(0, match.index - 300), match.index),
      }));
    });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // insecureUrlReason: https:, or plain http: to a loopback address only (the OAuth2 sign-in page of the emulator).
    for (const call of calls) expect(call.before, call.where).toMatch(/externalHttpsUrl\(|protocol !== 'https:'|insecureUrlReason\(/);
  });
});

describe("the renderer's Content-Security-Policy", () => {
  const html = readFileSync(join(repo, 'renderer', 'index.html'), 'utf8');
  const policy = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
  const directives = new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((parts) => parts[0] !== '')
      .map((parts) => [parts[0]!, parts.slice(1)]),
  );

  it('allows only the app\'s own scripts and styles, no eval, no inline script', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(policy).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
  });

  it('lets the page connect nowhere and embed nothing', () => {
    expect(directives.get('connect-src')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});
