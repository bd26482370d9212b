/**
 * The real Electronegativity (@doyensec/electronegativity, a devDependency) over the app's
 * sources: electron/, renderer/ and shared/, scanned together with package.json (for the
 * Electron version) so that its global checks (CSP, navigation limits, permission handler)
 * see the whole app. Next to security.test.ts, which checks the same rules by running the
 * window module against fakes.
 *
 * No finding above LOW is allowed unless electronegativity-allowlist.json (beside this file)
 * lists it with the reason it was accepted; an entry that matches nothing fails too, so the
 * list never outlives the code it excuses. Its `AvailableSecurityFixesGlobalCheck` is
 * excluded: it asks the internet for Electron's releases. (Its start also tries to fetch
 * translations, with a 1-second timeout; offline it says so on the console and goes on.)
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const require = createRequire(import.meta.url);

interface Level {
  value: number;
  name: string;
}

interface Issue {
  id: string;
  severity: Level;
  confidence: Level;
  file: string;
  location: { line: number; column: number };
  sample: string;
  manualReview: boolean;
}

interface ScanResult {
  globalChecks: number;
  atomicChecks: number;
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
  issues: Issue[];
}

type Run = (options: { input: string; excludeFromScan?: string[]; isRelative?: boolean }) => Promise<ScanResult>;

interface Accepted {
  check: string;
  file: string;
  code: string;
  reason: string;
}

const run = require('@doyensec/electronegativity') as Run;
/** Electronegativity's severities: INFORMATIONAL 0, LOW 1, MEDIUM 2, HIGH 3. */
const LOW = 1;

let folder: string;
let scan: ScanResult;
let accepted: Accepted[];

const matches = (entry: Accepted, issue: Issue): boolean =>
  entry.check === issue.id && entry.file === issue.file && issue.sample.includes(entry.code);

const describeIssue = (issue: Issue): string =>
  `${issue.id} (${issue.severity.name}, ${issue.confidence.name}) ${issue.file}:${issue.location.line}: ${issue.sample.trim().slice(0, 80)}`;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'terasync-electronegativity-'));
  for (const part of ['electron', 'renderer', 'shared', 'package.json']) {
    await cp(join(repo, part), join(folder, part), { recursive: true });
  }
  scan = await run({ input: folder, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'], isRelative: true });
  accepted = (JSON.parse(await readFile(join(import.meta.dirname, 'electronegativity-allowlist.json'), 'utf8')) as { accepted: Accepted[] }).accepted;
}, 120_000);

afterAll(async () => {
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

describe('Electronegativity over electron/, renderer/ and shared/', () => {
  it('parses every file and runs its checks', () => {
    expect(scan.errors).toEqual([]);
    expect(scan.atomicChecks).toBeGreaterThan(30);
    expect(scan.globalChecks).toBeGreaterThan(3);
    // It read our TypeScript: the preload setting of the one window is seen (and reviewed).
    expect(scan.issues.some((issue) => issue.id === 'PRELOAD_JS_CHECK' && issue.file === 'electron/main/window.ts')).toBe(true);
  });

  it('finds nothing above LOW that the reviewed allow-list does not explain', () => {
    const unexplained = scan.issues.filter((issue) => issue.severity.value > LOW && !accepted.some((entry) => matches(entry, issue)));
    expect(unexplained.map(describeIssue)).toEqual([]);
  });

  it('has no allow-list entry left that matches nothing, and a reason for each', () => {
    const stale = accepted.filter((entry) => !scan.issues.some((issue) => matches(entry, issue)));
    expect(stale).toEqual([]);
    for (const entry of accepted) expect(entry.reason.length, `${entry.check} ${entry.file}`).toBeGreaterThan(40);
  });

  it('sees the navigation limits, the permission handler and the CSP as in place', () => {
    // Its global checks report these as missing when the app lacks them (they did for
    // renderer/ scanned alone); over the whole app they must not appear.
    const ids = new Set(scan.issues.map((issue) => issue.id));
    expect(ids.has('LIMIT_NAVIGATION_GLOBAL_CHECK')).toBe(false);
    expect(ids.has('PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK')).toBe(false);
    expect(ids.has('AUXCLICK_JS_CHECK')).toBe(false);
    const csp = scan.issues.filter((issue) => issue.id === 'CSP_GLOBAL_CHECK');
    expect(csp.every((issue) => issue.severity.value <= LOW)).toBe(true);
  });
});
