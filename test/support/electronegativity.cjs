/**
 * Runs Electronegativity (@doyensec/electronegativity) programmatically over one folder and
 * prints its result as JSON on stdout: `node electronegativity.cjs INPUT`. A child process of
 * test/unit/electron/main/electronegativity.test.ts.
 *
 * At start Electronegativity fetches translations from the internet (with `got`, retried in
 * the background, whose failure surfaces later as an uncaught exception): `got` is answered
 * here by a stand-in that fails at once, as offline, so nothing leaves the machine and the
 * run goes on with its built-in English. Its AvailableSecurityFixesGlobalCheck (Electron's
 * release list, also online) is excluded.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it answers require('got') for the package it loads. */
const Module = require('node:module');

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    return () => Promise.reject(new Error('offline: no translations fetched'));
  }
  return originalLoad.call(this, request, parent, isMain);
};

const run = require('@doyensec/electronegativity');

const input = process.argv[2];
if (input === undefined) {
  process.stderr.write('usage: node electronegativity.cjs INPUT\n');
  process.exit(2);
}

// Its own console output (the translation notice) goes to stderr, keeping stdout for the JSON.
console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`);

run({ input, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'], isRelative: true }).then(
  (result) => {
    process.stdout.write(JSON.stringify(result));
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
