/**
 * The folder dependencies of docs/ARCHITECTURE.md ("Folder layering") are an allow-list, and
 * this test holds the code to it: it reads the table from the document, then every import of
 * every source file under electron/, shared/ and renderer/ (static, dynamic and `import type`,
 * found by TypeScript's own scanner), and fails on an import the table does not allow: one of
 * our folders, a package or a Node built-in. A folder without a row fails too, so a new folder
 * starts with a decision. The planner is held to more: nothing it loads, directly or through
 * other modules, may import a package or a Node built-in (it decides; others act). "Loads" is
 * meant at run time: an `import type` (or `export type ... from`) is erased by the compiler and
 * loads nothing, so the planner may name a payload type whose schema lives beside a package
 * (shared/types.ts re-exports the types inferred in shared/ipc/schemas.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const ROOTS = ['electron', 'shared', 'renderer'];
const BUILTINS = new Set(builtinModules);

interface Rule {
  folders: Set<string>;
  packages: Set<string>;
  builtins: boolean;
}

/** The table under "## Folder layering": folder -> what it may import. */
function readRules(): Map<string, Rule> {
  const text = readFileSync(join(repo, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const start = text.indexOf('\n## Folder layering');
  expect(start, 'docs/ARCHITECTURE.md has a "Folder layering" section').toBeGreaterThan(0);
  const section = text.slice(start + 1, text.indexOf('\n## ', start + 1));
  const rules = new Map<string, Rule>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells.length < 4 || !cells[0]!.startsWith('`')) continue;
    const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
    const folder = ticked(cells[0]!)[0]!.replace(/\/$/, '');
    rules.set(folder, {
      folders: new Set(ticked(cells[1]!).map((name) => name.replace(/\/$/, ''))),
      packages: new Set(ticked(cells[2]!)),
      builtins: /^yes\b/.test(cells[3]!),
    });
  }
  return rules;
}

/** The folder a file belongs to: electron/<name>, or the top folder. */
function folderOf(file: string): string {
  const parts = file.split(sep);
  return parts[0] === 'electron' && parts.length > 2 ? `electron/${parts[1]}` : parts[0]!;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(repo, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(repo, join(entry.parentPath, entry.name)));
}

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(join(repo, file), 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
}

/**
 * The imports of `text` that load a module at run time: all of them but the declarations the
 * compiler erases, `import type { A } from` and `export type { A } from`. (`import { type A }`
 * stays: with verbatimModuleSyntax it is emitted as `import {} from`, which loads the module.)
 */
function runtimeImportsOfText(text: string): string[] {
  const imports = ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  for (const statement of source.statements) {
    const erased =
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(statement) && statement.isTypeOnly && statement.moduleSpecifier !== undefined);
    if (!erased) continue;
    const specifier = (statement as ts.ImportDeclaration | ts.ExportDeclaration).moduleSpecifier;
    if (specifier === undefined || !ts.isStringLiteral(specifier)) continue;
    const index = imports.indexOf(specifier.text);
    if (index >= 0) imports.splice(index, 1);
  }
  return imports;
}

function runtimeImportsOf(file: string): string[] {
  return runtimeImportsOfText(readFileSync(join(repo, file), 'utf8'));
}

type Target = { kind: 'folder'; name: string; file: string } | { kind: 'package'; name: string } | { kind: 'builtin'; name: string };

function resolveImport(file: string, specifier: string): Target {
  if (specifier.startsWith('.')) {
    const target = normalize(join(dirname(file), specifier));
    return { kind: 'folder', name: folderOf(target), file: target.replace(/\.js$/, '.ts') };
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return { kind: 'builtin', name: specifier };
  const parts = specifier.split('/');
  return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! };
}

describe('folder dependencies (docs/ARCHITECTURE.md, "Folder layering")', () => {
  const rules = readRules();
  const files = ROOTS.flatMap(sourceFiles);

  it('has a row for every folder of the source', () => {
    expect(rules.size).toBeGreaterThanOrEqual(10);
    const folders = [...new Set(files.map(folderOf))].sort();
    expect(folders.filter((folder) => !rules.has(folder))).toEqual([]);
  });

  it('every import is one the table allows', () => {
    const refused: string[] = [];
    for (const file of files) {
      const folder = folderOf(file);
      const rule = rules.get(folder);
      if (rule === undefined) continue;
      for (const specifier of importsOf(file)) {
        const target = resolveImport(file, specifier);
        const allowed =
          target.kind === 'builtin' ? rule.builtins : target.kind === 'package' ? rule.packages.has(target.name) : target.name === folder || rule.folders.has(target.name);
        if (!allowed) refused.push(`${file} imports ${specifier} (${target.kind} ${target.name}), which ${folder}/ may not`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('sees a forbidden import: a planner that read the disk would fail the test above', () => {
    // The check is only as good as its reading of a file: prove it on text it must refuse.
    const found = ts.preProcessFile("import { readFileSync } from 'node:fs';\nconst x = await import('../platform/folderLock.js');", true, true).importedFiles.map((imported) => resolveImport('electron/sync/planner.ts', imported.fileName));
    expect(found).toEqual([
      { kind: 'builtin', name: 'node:fs' },
      { kind: 'folder', name: 'electron/platform', file: join('electron', 'platform', 'folderLock.ts') },
    ]);
    expect(rules.get('electron/sync')!.folders.has('electron/platform')).toBe(false);
  });

  it('tells the imports that load a module at run time from the ones the compiler erases', () => {
    const text = [
      "import type { A } from 'valibot';",
      "export type { B } from './schemas.js';",
      "import { type C } from 'kept-for-its-side-effects';",
      "import { d, type E } from './d.js';",
      "export { f } from './f.js';",
      "import 'node:fs';",
      "const g = await import('./g.js');",
    ].join('\n');
    expect(runtimeImportsOfText(text)).toEqual(['kept-for-its-side-effects', './d.js', './f.js', 'node:fs', './g.js']);
  });

  it('the planner and everything it loads import no package and no Node built-in', () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of runtimeImportsOf(file)) {
        const target = resolveImport(file, specifier);
        if (target.kind === 'folder') visit(target.file);
        else outside.push(`${file} imports ${specifier}`);
      }
    };
    visit(join('electron', 'sync', 'planner.ts'));
    expect(seen.size).toBeGreaterThan(3);
    expect(outside).toEqual([]);
  });
});
