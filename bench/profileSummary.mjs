#!/usr/bin/env node
/**
 * Sums the self time of `.cpuprofile` files (what `npm run bench -- --profile DIR` writes) by
 * category (a Node module, an npm package, TeraSync's own bundle, native code, the garbage
 * collector) and by function, and prints both as markdown tables.
 *
 *   node bench/profileSummary.mjs DIR... [--per=N] [--top=N]
 *
 * `--per=N` divides every figure by N (the uploaded files, for µs per file); `--top=N` lists the
 * N functions with the most self time (default 40). Idle time is left out of the shares.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const per = option('per', 0);
const top = option('top', 40);

const files = [];
const walk = (path) => {
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  else if (path.endsWith('.cpuprofile')) files.push(path);
};
for (const arg of args.filter((arg) => !arg.startsWith('--'))) walk(arg);
if (files.length === 0) {
  process.stderr.write('usage: node bench/profileSummary.mjs DIR... [--per=N] [--top=N]\n');
  process.exit(2);
}

function category({ functionName, url }) {
  if (functionName.startsWith('(')) return functionName;
  if (url === '') return 'native and built-in';
  if (url.includes('terasync-bench/') || url.includes('/dist/')) return 'terasync';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm ${pkg[1]}`;
  const internal = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
  return internal ? `node:${internal[1]}` : url;
}

const byFunction = new Map();
const byCategory = new Map();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id).callFrame;
    const micros = profile.timeDeltas[index] ?? 0;
    total += micros;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const group = category(frame);
    byCategory.set(group, (byCategory.get(group) ?? 0) + micros);
  });
}

const busy = total - (byCategory.get('(idle)') ?? 0);
const amount = (micros) => (per > 0 ? `${(micros / per).toFixed(1)} µs` : `${(micros / 1000).toFixed(1)} ms`);
const table = (title, rows) => {
  console.log(`\n| ${title} | self time${per > 0 ? ` / ${per}` : ''} | share of busy |\n| --- | --- | --- |`);
  for (const [name, micros] of rows) console.log(`| ${name} | ${amount(micros)} | ${((100 * micros) / busy).toFixed(1)}% |`);
};
console.log(`${files.length} profiles, ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy`);
const sorted = (map) => [...map].filter(([name]) => !name.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
table('category', sorted(byCategory));
table('function', sorted(byFunction).slice(0, top));
