/**
 * Builds TeraSync.
 *
 *   node scripts/build.mjs               main, preload, CLI (esbuild) and renderer (Vite)
 *   node scripts/build.mjs --node-only   the CLI only: npm's `prepare`, so `npx terasync`
 *                                        works right after `npm ci` (fast, no Vite)
 *   node scripts/build.mjs --out-dir DIR  write to DIR instead of dist/ (tests use this)
 *
 * Our source is bundled; every node_modules package stays external (`packages: 'external'`)
 * and is loaded from node_modules at run time. The CLI is split (esbuild `splitting`): each
 * command that electron/cli/main.ts loads with import() is a chunk of its own under
 * dist/cli/chunks/, so `terasync --help` parses only the dispatcher. Exits non-zero when
 * anything fails.
 */
import { build as esbuild } from 'esbuild';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * Packages the CLI's entry must not reach through static imports: they cost most of the
 * start-up (a native addon, the WebDAV client and its XML parser, the keychain binding) and
 * only the commands that use them may load them, through the dynamic import() of their module.
 */
const LAZY_PACKAGES = ['better-sqlite3', 'webdav', '@napi-rs/keyring', 'trash', 'ignore', 'react', 'react-dom', 'electron-updater'];

/** The Node-side bundles. `format` follows where each runs: see docs/ARCHITECTURE.md, Build outputs. */
const nodeTargets = [
  // Electron runs an ESM main process.
  { name: 'main', entry: 'electron/main/index.ts', output: 'main/index.js', format: 'esm', app: true },
  // A sandboxed preload must be CommonJS and may require only 'electron'.
  { name: 'preload', entry: 'electron/preload/index.ts', output: 'preload/index.cjs', format: 'cjs', app: true, onlyElectron: true },
  // bin/terasync.js imports this; the commands are chunks beside it, loaded when run.
  { name: 'cli', entry: 'electron/cli/main.ts', output: 'cli/terasync.js', format: 'esm', app: false, split: true, lazy: LAZY_PACKAGES },
];

function usage(message) {
  console.error(`${message}\nUsage: node scripts/build.mjs [--node-only] [--out-dir DIR]`);
  process.exit(2);
}

function parseArguments(argv) {
  const options = { nodeOnly: false, outDir: path.join(root, 'dist') };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--node-only') options.nodeOnly = true;
    else if (argument === '--out-dir') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) usage('--out-dir needs a folder.');
      options.outDir = path.resolve(value);
      index += 1;
    } else usage(`Unknown option ${argument}.`);
  }
  return options;
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

function relative(file) {
  return path.relative(process.cwd(), file) || '.';
}

function filesUnder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function buildNodeTarget(target, outDir) {
  const outfile = path.join(outDir, target.output);
  rmSync(path.dirname(outfile), { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: root,
    ...(target.split
      ? {
          // Splitting needs an output folder: the entry keeps its name, chunks go below it.
          entryPoints: { [path.basename(outfile, '.js')]: path.join(root, target.entry) },
          outdir: path.dirname(outfile),
          splitting: true,
          chunkNames: 'chunks/[name]-[hash]',
        }
      : { entryPoints: [path.join(root, target.entry)], outfile }),
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node22.12',
    format: target.format,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const key = (file) => path.relative(root, file).split(path.sep).join('/');
  if (target.onlyElectron) {
    const output = outputs[key(outfile)];
    const forbidden = (output?.imports ?? []).filter((item) => item.external && item.path !== 'electron').map((item) => item.path);
    if (forbidden.length > 0) {
      throw new Error(
        `${target.entry} requires ${forbidden.join(', ')}; a sandboxed preload may require only 'electron'. ` +
          'Move that code to the main process and reach it over IPC.',
      );
    }
  }
  if (target.lazy) {
    const reached = staticallyReached(outputs, key(outfile)).filter((name) => target.lazy.some((lazy) => name === lazy || name.startsWith(`${lazy}/`)));
    if (reached.length > 0) {
      rmSync(path.dirname(outfile), { recursive: true, force: true });
      throw new Error(
        `${target.entry} loads ${[...new Set(reached)].join(', ')} at start-up; only a command's own module may ` +
          '(electron/cli/commands/, loaded with import()). Import it there, or import it with import() where it is used.',
      );
    }
  }
  const size = statSync(outfile).size;
  const chunks = Object.keys(outputs).filter((file) => file.endsWith('.js') && file !== key(outfile));
  if (chunks.length === 0) return { file: relative(outfile), detail: formatSize(size) };
  const chunkBytes = chunks.reduce((sum, file) => sum + statSync(path.join(root, file)).size, 0);
  return { file: relative(outfile), detail: `${formatSize(size)} + ${chunks.length} chunks, ${formatSize(chunkBytes)}` };
}

/**
 * The packages an output loads as soon as it is loaded: its static imports and those of the
 * chunks it imports statically, never what an import() brings in later.
 */
function staticallyReached(outputs, entry) {
  const seen = new Set();
  const packages = [];
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const item of outputs[file]?.imports ?? []) {
      if (item.kind === 'dynamic-import') continue;
      if (item.external) packages.push(item.path);
      else visit(item.path);
    }
  };
  visit(entry);
  return packages;
}

/** Checks the built page against what the CSP in renderer/index.html allows. */
function checkRendererHtml(htmlFile) {
  const html = readFileSync(htmlFile, 'utf8');
  if (!/<meta\s+http-equiv="Content-Security-Policy"/i.test(html)) {
    throw new Error(`${relative(htmlFile)} has lost its Content-Security-Policy meta tag.`);
  }
  const inlineScripts = [...html.matchAll(/<script\b([^>]*)>/gi)].filter((match) => !/\bsrc\s*=/i.test(match[1]));
  if (inlineScripts.length > 0 || /<style\b/i.test(html) || /\sstyle\s*=/i.test(html)) {
    throw new Error(`${relative(htmlFile)} has inline script or style, which its CSP blocks.`);
  }
}

async function buildRenderer(outDir) {
  // Imported only here so that --node-only never loads Vite.
  const { build } = await import('vite');
  const rendererOut = path.join(outDir, 'renderer');
  await build({
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: rendererOut, emptyOutDir: true },
  });
  const htmlFile = path.join(rendererOut, 'index.html');
  checkRendererHtml(htmlFile);
  const files = filesUnder(rendererOut).filter((file) => !file.endsWith('.map'));
  const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
  return { file: relative(htmlFile), detail: `${files.length} files, ${formatSize(total)}` };
}

/** The tray icons (assets/tray, made by `npm run icons`) go beside the main bundle: dist/tray. */
function copyTrayIcons(outDir) {
  const target = path.join(outDir, 'tray');
  rmSync(target, { recursive: true, force: true });
  cpSync(path.join(root, 'assets', 'tray'), target, { recursive: true });
  return { file: relative(target), detail: `${readdirSync(target).length} icons` };
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const started = performance.now();
  const targets = nodeTargets.filter((target) => !options.nodeOnly || !target.app);

  const missing = targets.filter((target) => !existsSync(path.join(root, target.entry)));
  if (missing.length > 0) {
    for (const target of missing) console.error(`Cannot build ${target.name}: its entry point ${target.entry} does not exist.`);
    console.error('Nothing was built.');
    return 1;
  }

  const steps = targets.map((target) => ({ name: target.name, run: () => buildNodeTarget(target, options.outDir) }));
  if (!options.nodeOnly) steps.push({ name: 'renderer', run: () => buildRenderer(options.outDir) });
  if (!options.nodeOnly) steps.push({ name: 'tray', run: async () => copyTrayIcons(options.outDir) });

  const results = await Promise.allSettled(steps.map((step) => step.run()));
  const failures = [];
  console.log(options.nodeOnly ? 'TeraSync build (command line only):' : 'TeraSync build:');
  const fileWidth = Math.max(...results.map((result) => (result.status === 'fulfilled' ? result.value.file.length : 0)));
  results.forEach((result, index) => {
    const name = steps[index].name.padEnd(10);
    if (result.status === 'fulfilled') console.log(`  ${name}${result.value.file.padEnd(fileWidth)}  ${result.value.detail}`);
    else {
      console.log(`  ${name}FAILED`);
      failures.push({ name: steps[index].name, error: result.reason });
    }
  });
  for (const failure of failures) {
    // esbuild has already printed its own errors with file and line; add the summary line.
    const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
    console.error(`\n${failure.name}: ${message}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    console.error(`\nBuild failed (${failures.map((failure) => failure.name).join(', ')}) after ${seconds} s.`);
    return 1;
  }
  console.log(`Built in ${seconds} s.`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
