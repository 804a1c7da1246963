// How the CLI tests run the `pausekit` executable from the sources (the
// checkout's src/cli/bin.mjs, as `npx pausekit` does in a checkout).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The executable the tests run. */
export const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pausekit ARGS` to its end: exit code, stdout and stderr; never throws for a non-zero exit. */
export function pausekit(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...options }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}
