import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'types/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The main prohibitions of docs/ARCHITECTURE.md (Folder layering), with messages for the
  // editor; the allow-list itself is checked by test/unit/docs/folderDependencies.test.ts.
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: restrict([
      { group: ['node:*', 'electron', 'fs', 'path', 'os', 'http', 'https'], message: 'shared/ is pure TypeScript: no node:*, no electron.' },
      { group: ['**/electron/**', '**/renderer/**', '../electron/*', '../renderer/*'], message: 'shared/ imports nothing of ours.' },
    ]),
  },
  {
    files: [
      'electron/core/**/*.ts',
      'electron/sync/**/*.ts',
      'electron/webdav/**/*.ts',
      'electron/cli/**/*.ts',
      'electron/auth/**/*.ts',
      'electron/teracloud/**/*.ts',
      'electron/backup/**/*.ts',
      'electron/net/**/*.ts',
    ],
    rules: restrict([
      { group: ['electron'], message: 'Only electron/main and electron/preload may import electron.' },
      { group: ['**/renderer/**'], message: 'The Node side never imports the renderer.' },
      { group: ['**/main/**', '**/preload/**'], message: 'Services do not import the Electron shell.' },
    ]),
  },
  {
    files: ['electron/app/**/*.ts', 'electron/platform/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: 'electron/app holds what main wires together, testable under plain Node: no electron.' },
      { group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'Services do not import the Electron shell or the renderer.' },
    ]),
  },
  {
    files: ['electron/sync/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: 'Only electron/main and electron/preload may import electron.' },
      { group: ['**/renderer/**', '**/main/**', '**/preload/**', '**/cli/**'], message: 'The sync core depends on ports, not on its callers.' },
      { group: ['webdav', 'webdav/*'], message: 'Only electron/webdav speaks WebDAV.' },
    ]),
  },
  {
    files: ['electron/auth/**/*.ts', 'electron/teracloud/**/*.ts'],
    rules: restrict([
      { group: ['electron'], message: 'Only electron/main and electron/preload may import electron.' },
      { group: ['**/renderer/**', '**/main/**', '**/preload/**', '**/cli/**'], message: 'Services do not import their callers.' },
      { group: ['**/dev/**'], message: 'The development emulator is never part of the app.' },
    ]),
  },
  {
    // The local TeraCLOUD emulator (npm run emulator): development and test tooling only.
    files: ['dev/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // `paths`, not a `group` pattern: 'electron' as a pattern would also match our own
          // ../../electron/app/... modules, which the IPC bridge uses.
          paths: [{ name: 'electron', message: 'Development tools run under plain Node.' }],
          patterns: [{ group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'Development tools do not import the app shell.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([
      { group: ['electron', 'node:*'], message: 'The renderer reaches main only through window.terasync.' },
      { group: ['**/electron/**'], message: 'The renderer imports shared/ and nothing under electron/.' },
    ]),
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
