// Preloaded with `node --import` by test/integration/cli/startup.test.ts: writes to the file
// in TERASYNC_TEST_LOAD_LOG every module the process resolves through the ES module loader
// (our chunks, packages, built-ins; the loader hooks of recordLoadsHooks.mjs) and every call
// of module.enableCompileCache, which it replaces with a recorder (the test wants to see that
// the command asks for it before it loads the bundle).
import { appendFileSync } from 'node:fs';
import module from 'node:module';

const log = process.env.TERASYNC_TEST_LOAD_LOG;
if (!log) throw new Error('recordLoads.mjs needs TERASYNC_TEST_LOAD_LOG (the file to write to)');

module.register(new URL('./recordLoadsHooks.mjs', import.meta.url), { data: { log } });
module.enableCompileCache = (directory) => {
  appendFileSync(log, `enableCompileCache ${directory ?? '(default)'}\n`);
  return { status: 0 };
};
