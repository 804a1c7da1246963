// Init mode: pause finds the program as execvp() does. A name with a '/' is
// run as it is (relative to the current directory); any other is looked up
// in each PATH directory in turn, where a file that is there but not
// executable is remembered (126 if nothing better turns up) and a
// non-directory is skipped; an empty entry is the current directory; with
// PATH unset, the default PATH. Both designs, as PID 1 and as a plain
// process (with and without -s).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUSYBOX, DESIGNS, INIT_MODES, initWarning, startInit, stopInit, BUSYBOX_INSTALLED, type PauseProcess } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode PATH search tests', KERNEL, BUSYBOX_INSTALLED);
const dir = mkdtempSync(join(tmpdir(), 'pausekit-path-'));
/** A script that exits with `code`; mode 0755 unless said. */
function script(path: string, code: number, mode = 0o755): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!${BUSYBOX} sh\nexit ${code}\n`);
  chmodSync(path, mode);
  return path;
}
const denied = join(dir, 'denied');
const allowed = join(dir, 'allowed');
const file = join(dir, 'a-file');
script(join(denied, 'prog'), 6, 0o644);
script(join(allowed, 'prog'), 9);
script(join(dir, 'sub', 'prog'), 8);
script(join(dir, 'prog'), 7);
writeFileSync(file, 'not a directory\n');

/** The environment without PATH, or with the given one. */
function withPath(path: string | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PATH;
  return path === undefined ? env : { ...env, PATH: path };
}

const CASES: { what: string; program: string[]; path: string | undefined; code: number; stderr?: string }[] = [
  { what: 'with PATH unset, finds busybox on the default PATH', program: ['busybox', 'sh', '-c', 'exit 5'], path: undefined, code: 5 },
  { what: "runs a relative name with a '/' (sub/prog) from the current directory, unsearched", program: ['sub/prog'], path: allowed, code: 8 },
  { what: "does not look in the current directory for a name without a '/'", program: ['prog'], path: join(dir, 'missing'), code: 127, stderr: "pause: cannot run 'prog': No such file or directory\n" },
  { what: 'goes on past a directory where the name is not executable, and runs the next one', program: ['prog'], path: `${denied}:${allowed}`, code: 9 },
  { what: 'exits 126 when the name is only found not executable', program: ['prog'], path: `${join(dir, 'missing')}:${denied}`, code: 126, stderr: "pause: cannot run 'prog': Permission denied\n" },
  { what: 'skips a PATH entry that is not a directory', program: ['prog'], path: `${file}:${allowed}`, code: 9 },
  { what: 'takes an empty PATH entry for the current directory', program: ['prog'], path: `${join(dir, 'missing')}::${allowed}`, code: 7 },
];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      for (const { what, program, path, code, stderr } of CASES) {
        it(`${what} (${design} design, as ${mode})`, async () => {
          pause = await startInit(mode, design, ['--', ...program], { env: withPath(path), cwd: dir });
          expect(await pause.exited).toEqual({ code, signal: null });
          expect(pause.stderr()).toBe(initWarning(mode) + (stderr ?? ''));
        });
      }
    }
  }
});
