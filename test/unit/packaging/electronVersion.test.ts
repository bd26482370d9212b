/**
 * One Electron version everywhere: electron-builder.yml's `electronVersion` (what packaging
 * uses, and the ABI better-sqlite3 is rebuilt for) is the version the electron devDependency
 * asks for, the one package-lock.json pins and the one installed. A bump that changes one of
 * them and not the others fails here instead of shipping an app built for another Electron.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;

/** The top-level `electronVersion:` of electron-builder.yml (a plain scalar, maybe quoted). */
function builderElectronVersion(): string {
  const yaml = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
  const lines = yaml.split('\n').filter((line) => /^electronVersion\s*:/.test(line));
  expect(lines, 'electron-builder.yml sets electronVersion exactly once, at the top level').toHaveLength(1);
  const match = /^electronVersion\s*:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(lines[0]!);
  expect(match, `electronVersion line: ${lines[0]}`).not.toBeNull();
  return match![1]!;
}

describe('the Electron version', () => {
  const version = builderElectronVersion();

  it('is an exact version in electron-builder.yml', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is what the electron devDependency asks for (a caret range starting at it)', () => {
    const devDependencies = readJson('package.json').devDependencies as Record<string, string>;
    expect(devDependencies.electron).toBe(`^${version}`);
  });

  it('is what package-lock.json pins and what is installed', () => {
    const lock = readJson('package-lock.json') as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/electron']?.version).toBe(version);
    expect(readJson('node_modules/electron/package.json').version).toBe(version);
  });

  it('is the one the comment beside it names', () => {
    const yaml = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    const named = [...yaml.matchAll(/\^(\d+\.\d+\.\d+)/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([version]));
  });
});
