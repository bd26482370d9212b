/** Module resolve hook (registered by host.mjs): the bare specifier 'electron' is the fake beside this file. */
const fake = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: fake, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
}
