// Module loader hooks (module.register, see recordLoads.mjs): each resolved URL as one line.
import { appendFileSync } from 'node:fs';

let log;

export function initialize(data) {
  log = data.log;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(log, `resolve ${resolved.url}\n`);
  return resolved;
}
