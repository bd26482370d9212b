/**
 * Terminal input for `terasync login`: a line, a password without echo, or everything on
 * standard input (`--password-stdin`, for scripts).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export interface PromptInput {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  output: { write(text: string): unknown };
}

/** Asks one question; with `secret`, what is typed is not shown. */
export function ask(io: PromptInput, question: string, secret = false): Promise<string> {
  io.output.write(question);
  // Typed characters are echoed by readline through this stream: for a secret, nothing is.
  const echo = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!secret) io.output.write(chunk.toString('utf8'));
      callback();
    },
  });
  const lines = createInterface({ input: io.input, output: echo, terminal: io.input.isTTY === true });
  return new Promise((resolve, reject) => {
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      if (secret) io.output.write('\n');
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) reject(new Error('no answer (standard input closed)'));
    });
    lines.once('SIGINT', () => {
      lines.close();
      reject(new Error('cancelled'));
    });
  });
}

/** All of standard input, without the final line break (`--password-stdin`). */
export async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * Opens `url` in the user's browser when there is one to open; never fails (the address is
 * printed too, for a machine without a desktop).
 */
export function launchBrowser(url: string, platform: NodeJS.Platform): void {
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser launcher: the printed address is enough.
  }
}
