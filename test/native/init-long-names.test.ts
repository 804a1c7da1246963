// Init mode: long names are never cut short. pause searches PATH as
// execvp() does: a PATH entry too long to make a path with the name is
// skipped, any shorter one (even past 2 KiB) is searched whole; a name
// longer than NAME_MAX (255 bytes) is ENAMETOOLONG, and so is a path the
// kernel finds too long: 126 with "File name too long" (the name in the
// message cut at 200 bytes, with "..."). A cut path could name another
// file: the first case below has a PATH entry whose first 2 KiB name a
// directory with another program in it. Every design, as PID 1 and as a
// plain process (with and without -s).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUSYBOX, DESIGNS, INIT_MODES, initWarning, startInit, stopInit, BUSYBOX_INSTALLED, type PauseProcess } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode long name tests', KERNEL, BUSYBOX_INSTALLED);
const dir = mkdtempSync(join(tmpdir(), 'pausekit-long-'));

/** A script `prog` in directory `at` that exits with `code`. */
function program(at: string, code: number): void {
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'prog'), `#!${BUSYBOX} sh\nexit ${code}\n`);
  chmodSync(join(at, 'prog'), 0o755);
}

// A directory with prog (exit 7), and an entry that starts with it, then
// "/." until past 2 KiB, then a directory that does not exist: cut at
// 2 KiB, it names the directory with prog; whole, nothing.
const cut = join(dir, 'cut');
program(cut, 7);
const longMissing = `${cut}${'/.'.repeat(Math.ceil((2100 - cut.length) / 2))}/missing`;
// A directory 3,000 bytes deep (components of 100 bytes) with prog (exit 8):
// a long entry that is there, searched whole.
const deep = join(dir, ...Array.from({ length: Math.ceil((3000 - dir.length) / 101) }, (_, i) => `${i}`.padEnd(100, 'd')));
program(deep, 8);
const allowed = join(dir, 'allowed');
program(allowed, 9);
// An entry longer than any path (4 KiB and more): skipped.
const tooLong = `${allowed}${'/.'.repeat(2100)}`;
const longName = 'n'.repeat(256);
const longPath = `${dir}/${'p/'.repeat(2100)}prog`;
const shown = (name: string): string => `${name.slice(0, 200)}...`;

const CASES: { what: string; program: string; path: string; code: number; stderr?: string }[] = [
  { what: 'searches a PATH entry past 2 KiB whole, never its first 2 KiB (which name another prog)', program: 'prog', path: longMissing, code: 127, stderr: "pause: cannot run 'prog': No such file or directory\n" },
  { what: 'goes on to the next entry after a long one with nothing in it', program: 'prog', path: `${longMissing}:${allowed}`, code: 9 },
  { what: 'runs a program in a directory 3,000 bytes deep on PATH', program: 'prog', path: deep, code: 8 },
  { what: 'skips a PATH entry longer than any path and runs the next one', program: 'prog', path: `${tooLong}:${allowed}`, code: 9 },
  { what: 'finds nothing when the only PATH entry is longer than any path', program: 'prog', path: tooLong, code: 127, stderr: "pause: cannot run 'prog': No such file or directory\n" },
  { what: 'exits 126, File name too long, for a name of 256 bytes to look up on PATH', program: longName, path: allowed, code: 126, stderr: `pause: cannot run '${shown(longName)}': File name too long\n` },
  { what: 'exits 126, File name too long, for a path longer than the kernel takes', program: longPath, path: allowed, code: 126, stderr: `pause: cannot run '${shown(longPath)}': File name too long\n` },
];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      for (const { what, program: name, path, code, stderr } of CASES) {
        it(`${what} (${design} design, as ${mode})`, async () => {
          pause = await startInit(mode, design, ['--', name], { env: { ...process.env, PATH: path }, cwd: dir });
          expect(await pause.exited).toEqual({ code, signal: null });
          expect(pause.stderr()).toBe(initWarning(mode) + (stderr ?? ''));
        });
      }
    }
  }
});
