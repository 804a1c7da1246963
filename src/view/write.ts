// Where a page goes: `--html FILE` is checked before a command runs (so a
// bad path costs nothing), and the page is written whole or not at all.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PausekitError, checkArgument, printable } from '../errors.ts';
import { writeFileAtomic } from '../image/oci.ts';

/** Why FILE cannot take a page, or undefined if it can. */
function unwritable(file: string): string | undefined {
  if (file === '') return 'no file named';
  const path = resolve(file);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return 'it is a directory';
  const dir = dirname(path);
  const parent = statSync(dir, { throwIfNoEntry: false });
  if (parent === undefined) return `no such directory: ${printable(dir)}`;
  if (!parent.isDirectory()) return `${printable(dir)} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `${printable(dir)} is not writable`;
  }
  return undefined;
}

/** `--html FILE` of a command, checked: the file, or undefined when the option is absent. */
export function htmlTarget(command: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const why = unwritable(file);
  if (why !== undefined) {
    throw new PausekitError(`${command}: --html: cannot write ${printable(file, 200)}: ${why}`, { field: 'html', value: file });
  }
  return file;
}

/** Writes a page atomically: the file is the whole page, or is not there (or is what it was). */
export function writePage(file: string, html: string): void {
  checkArgument(typeof file === 'string', 'writePage(file, html): file', "the page's path", file);
  checkArgument(typeof html === 'string', 'writePage(file, html): html', 'the page, as a string', html);
  try {
    writeFileAtomic(file, Buffer.from(html));
  } catch (error) {
    if (error instanceof PausekitError) throw new PausekitError(error.message, { ...error.details, field: 'html' });
    throw error;
  }
}
