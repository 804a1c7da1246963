// Init mode: a program that cannot be run ends pause with the shell's codes
// and one line naming it: 127 when it is not found (missing, or a path
// through a file), 126 when it is found but cannot run (not executable, a
// directory, not a program). Both designs, as PID 1 and as a plain process
// (with and without -s).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DESIGNS, INIT_MODES, initWarning, startInit, stopInit, BUSYBOX_INSTALLED, type PauseProcess } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode exec failure tests', KERNEL, BUSYBOX_INSTALLED);
const dir = mkdtempSync(join(tmpdir(), 'pausekit-exec-'));
const notExecutable = join(dir, 'not-executable');
writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n');
chmodSync(notExecutable, 0o644);
const notAProgram = join(dir, 'not-a-program');
writeFileSync(notAProgram, 'neither ELF nor #!\n');
chmodSync(notAProgram, 0o755);

const CASES: { what: string; program: string; code: number; reason: string }[] = [
  { what: 'a missing file', program: join(dir, 'missing'), code: 127, reason: 'No such file or directory' },
  { what: 'a name on no PATH directory', program: 'pausekit-no-such-program', code: 127, reason: 'No such file or directory' },
  { what: 'a path through a file (ENOTDIR)', program: join(notExecutable, 'x'), code: 127, reason: 'No such file or directory' },
  { what: 'a file without execute permission', program: notExecutable, code: 126, reason: 'Permission denied' },
  { what: 'a directory', program: dir, code: 126, reason: 'Permission denied' },
  { what: 'an executable file that is not a program (ENOEXEC)', program: notAProgram, code: 126, reason: 'Exec format error' },
];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      for (const { what, program, code, reason } of CASES) {
        it(`exits ${code} with "pause: cannot run '…': ${reason}" for ${what} (${design} design, as ${mode})`, async () => {
          pause = await startInit(mode, design, ['--', program, 'arg']);
          expect(await pause.exited).toEqual({ code, signal: null });
          expect(pause.stderr()).toBe(`${initWarning(mode)}pause: cannot run '${program}': ${reason}\n`);
          expect(pause.stdout()).toBe('');
        });
      }
    }
  }
});
