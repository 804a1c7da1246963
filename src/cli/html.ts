// `--html FILE`, shared by run, diff, explore and bench: the option, the
// check of FILE before the command runs (a bad path costs nothing), and the
// write, whole or not at all, with SIGINT and SIGTERM held until it is done.
import { HeldSignals } from './interrupt.ts';
import { htmlTarget, writePage } from '../view/write.ts';

/** The option as parseCommand's specs declare it. */
export const HTML_OPTION = { type: 'string' } as const;

/** FILE of `--html FILE`, checked; undefined without the option. */
export function htmlFile(command: string, value: string | undefined): string | undefined {
  return htmlTarget(command, value);
}

/** Writes the page to FILE (if asked for), then says so: on stdout, or on stderr when stdout is JSON. */
export async function writeHtml(file: string | undefined, page: () => Promise<string> | string, json = false): Promise<void> {
  if (file === undefined) return;
  const html = await page();
  const held = new HeldSignals();
  try {
    writePage(file, html);
    await held.checkpoint(`${file} was written whole`);
  } finally {
    held.release();
  }
  const stream = json ? process.stderr : process.stdout;
  // A reader that stopped reading (`| head`) has all it wanted: the page is written.
  stream.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  stream.write(`html: ${file}\n`);
}
