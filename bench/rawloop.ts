/**
 * The "raw loop" of the benchmark: the least a WebDAV client has to do for each case, with
 * the same parallelism as the client under test and one keep-alive https.Agent. It is the
 * lower bound the other columns are compared with, so it does nothing a sync client could
 * skip: no journal, no hashing, no verification, no retries, no compression.
 *
 *   node rawloop.mjs '{"mode":"upload","local":DIR,"url":URL,"ca":FILE,"concurrency":N}'
 *     walk DIR, MKCOL the root and every folder (parents first), PUT every file
 *   mode "list":    lstat every local entry + PROPFIND Depth: 1 of every remote folder
 *                   (what any two-way sync needs to see that nothing changed)
 *   mode "changes": "list", then PUT the files named in "changed" (relative paths)
 *   mode "download": GET "url" (one file) into "out"
 *
 * Credentials come from BENCH_USER / BENCH_PASSWORD. Prints one JSON line with the request
 * count; exits 1 on any unexpected status.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface Job {
  mode: 'upload' | 'list' | 'changes' | 'download';
  local?: string;
  url: string;
  ca: string;
  concurrency: number;
  out?: string;
  changed?: string[];
}

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<d:propfind xmlns:d="DAV:"><d:prop>' +
  '<d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getetag/>' +
  '</d:prop></d:propfind>';

/** Small files are read whole; larger ones stream. */
const READ_WHOLE_BELOW = 1024 * 1024;

let requests = 0;

function fail(message: string): never {
  process.stderr.write(`rawloop: ${message}\n`);
  process.exit(1);
}

function encodePath(relative: string): string {
  return relative
    .split('/')
    .filter((name) => name !== '')
    .map(encodeURIComponent)
    .join('/');
}

async function mapLimit<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
}

interface Reply {
  status: number;
  body: Buffer;
}

function makeClient(job: Job): (method: string, url: string, headers: Record<string, string>, body?: Buffer | string | Readable, sink?: NodeJS.WritableStream) => Promise<Reply> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency, ca: job.ca });
  const user = process.env['BENCH_USER'] ?? '';
  const password = process.env['BENCH_PASSWORD'] ?? '';
  const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  return (method, url, headers, body, sink) =>
    new Promise<Reply>((resolve, reject) => {
      requests += 1;
      const req = httpsRequest(url, { method, agent, headers: { Authorization: authorization, ...headers } }, (res) => {
        const status = res.statusCode ?? 0;
        if (sink && status === 200) {
          pipeline(res, sink).then(() => resolve({ status, body: Buffer.alloc(0) }), reject);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${url}: no answer in 120 s`)));
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else pipeline(body, req).catch(reject);
    });
}

interface LocalTree {
  folders: string[];
  files: Array<{ path: string; size: number }>;
}

/** Every folder and file below `root` (relative, '/'-separated), with an lstat of each (16 at a time, as the client's scanner). */
async function walk(root: string): Promise<LocalTree> {
  const tree: LocalTree = { folders: [], files: [] };
  const pending = [''];
  while (pending.length > 0) {
    const relative = pending.shift() ?? '';
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    await mapLimit(entries, 16, async (entry) => {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const stats = await lstat(join(root, child));
      if (stats.isDirectory()) {
        tree.folders.push(child);
        pending.push(child);
      } else if (stats.isFile()) {
        tree.files.push({ path: child, size: stats.size });
      }
    });
  }
  return tree;
}

async function putFile(send: ReturnType<typeof makeClient>, base: string, root: string, file: { path: string; size: number }): Promise<void> {
  const absolute = join(root, file.path);
  const body = file.size < READ_WHOLE_BELOW ? await readFile(absolute) : createReadStream(absolute);
  const reply = await send('PUT', `${base}${encodePath(file.path)}`, { 'Content-Length': String(file.size), 'Content-Type': 'application/octet-stream' }, body);
  if (reply.status !== 201 && reply.status !== 204) fail(`PUT ${file.path} answered ${reply.status}`);
}

async function upload(job: Job, send: ReturnType<typeof makeClient>): Promise<void> {
  const root = job.local ?? fail('upload needs "local"');
  const tree = await walk(root);
  const rootReply = await send('MKCOL', job.url, {});
  if (rootReply.status !== 201) fail(`MKCOL of the root answered ${rootReply.status}`);
  const byDepth = new Map<number, string[]>();
  for (const folder of tree.folders) {
    const depth = folder.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), folder]);
  }
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    await mapLimit(byDepth.get(depth) ?? [], job.concurrency, async (folder) => {
      const reply = await send('MKCOL', `${job.url}${encodePath(folder)}/`, {});
      if (reply.status !== 201) fail(`MKCOL ${folder} answered ${reply.status}`);
    });
  }
  await mapLimit(tree.files, job.concurrency, (file) => putFile(send, job.url, root, file));
}

/** PROPFIND Depth: 1 over the whole remote tree, parallel, driven by what each answer lists. */
async function listRemote(job: Job, send: ReturnType<typeof makeClient>): Promise<number> {
  const rootPath = new URL(job.url).pathname;
  const queue: string[] = [rootPath];
  let entries = 0;
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (queue.length === 0 && active === 0) {
        resolve();
        return;
      }
      while (active < job.concurrency && queue.length > 0) {
        const folder = queue.shift() ?? '';
        active += 1;
        send('PROPFIND', new URL(folder, job.url).href, { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' }, PROPFIND_BODY)
          .then((reply) => {
            if (reply.status !== 207) fail(`PROPFIND ${folder} answered ${reply.status}`);
            const xml = reply.body.toString('utf8');
            for (const match of xml.matchAll(/<(?:[\w-]+:)?response\b[\s\S]*?<\/(?:[\w-]+:)?response>/g)) {
              const href = /<(?:[\w-]+:)?href>([^<]*)</.exec(match[0])?.[1] ?? '';
              const path = new URL(href, job.url).pathname;
              if (path === folder) continue;
              entries += 1;
              if (/<(?:[\w-]+:)?collection\s*\/>/.test(match[0])) queue.push(path.endsWith('/') ? path : `${path}/`);
            }
            active -= 1;
            pump();
          })
          .catch(reject);
      }
    };
    pump();
  });
  return entries;
}

async function list(job: Job, send: ReturnType<typeof makeClient>): Promise<void> {
  const root = job.local ?? fail('list needs "local"');
  const [tree, remoteEntries] = await Promise.all([walk(root), listRemote(job, send)]);
  const localEntries = tree.files.length + tree.folders.length;
  if (localEntries !== remoteEntries) fail(`local has ${localEntries} entries, the server ${remoteEntries}`);
}

async function changes(job: Job, send: ReturnType<typeof makeClient>): Promise<void> {
  const root = job.local ?? fail('changes needs "local"');
  await list(job, send);
  const changed = job.changed ?? [];
  const files = await Promise.all(changed.map(async (path) => ({ path, size: (await lstat(join(root, path))).size })));
  await mapLimit(files, job.concurrency, (file) => putFile(send, job.url, root, file));
}

async function download(job: Job, send: ReturnType<typeof makeClient>): Promise<void> {
  const out = job.out ?? fail('download needs "out"');
  const reply = await send('GET', job.url, { 'Accept-Encoding': 'identity' }, undefined, createWriteStream(out));
  if (reply.status !== 200) fail(`GET answered ${reply.status}`);
}

async function main(): Promise<void> {
  const argument = process.argv[2] ?? fail('usage: rawloop.mjs JSON');
  const job = JSON.parse(argument) as Job;
  job.ca = await readFile(job.ca, 'utf8');
  const send = makeClient(job);
  if (job.mode === 'upload') await upload(job, send);
  else if (job.mode === 'list') await list(job, send);
  else if (job.mode === 'changes') await changes(job, send);
  else if (job.mode === 'download') await download(job, send);
  else fail(`unknown mode ${String(job.mode)}`);
  process.stdout.write(`${JSON.stringify({ requests })}\n`);
  process.exit(0);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
