/**
 * The renderer build (scripts/build.mjs calls Vite's build() with this file). The output is
 * loaded from file:// under a strict CSP, hence a relative base and nothing inlined.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  publicDir: false,
  // Vite 8 compiles TSX with oxc; React 19's automatic runtime needs no React import.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Electron 45 ships Chromium 156 (45.6.1: 156.0.8078.129).
    target: 'chrome156',
    // Chromium has modulepreload; the polyfill would only add code.
    modulePreload: { polyfill: false },
    // Inlined assets would become data: URLs, which the CSP only allows for images.
    assetsInlineLimit: 0,
  },
});
