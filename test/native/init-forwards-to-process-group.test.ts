// Init mode, -g: pause forwards to the program's whole process group (the
// program makes its own), so a child the program started gets the signal
// too; without -g only the program does. Both designs, as PID 1 and as a
// plain process (with and without -s).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, INIT_MODES, childrenOf, startInit, stopInit, trappingScript, until, untilLine, untilProgram,
  BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode process group tests', KERNEL, BUSYBOX_INSTALLED);
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The program: traps USR1, and first starts a child in its group that traps USR1 and USR2, prefixed `child `. */
const PROGRAM = [BUSYBOX, 'sh', '-c', `busybox sh -c ${quote(trappingScript(['USR1', 'USR2'], 'child '))} & ${trappingScript(['USR1'])}`];

/** The program's child shell (host pid), found by its command line. */
function childShell(program: number): number | undefined {
  return childrenOf(program).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('echo child ready');
    } catch {
      return false;
    }
  });
}

/** The lines of the program's child (they interleave with the program's own). */
const childLines = (stdout: string): string[] => stdout.split('\n').filter((line) => line.startsWith('child '));

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`with -g forwards to the program's process group: its child gets the signal too (${design} design, as ${mode})`, async () => {
        pause = await startInit(mode, design, ['-g', '--', ...PROGRAM]);
        await untilLine(pause, 'child ready');
        await untilLine(pause, 'ready');
        pause.kill('SIGUSR1');
        await untilLine(pause, 'USR1');
        await untilLine(pause, 'child USR1');
        expect(childLines(pause.stdout())).toEqual(['child ready', 'child USR1']);
      });

      it(`without -g forwards to the program only, not to its child (${design} design, as ${mode})`, async () => {
        pause = await startInit(mode, design, ['--', ...PROGRAM]);
        await untilLine(pause, 'child ready');
        await untilLine(pause, 'ready');
        const program = await untilProgram(pause);
        pause.kill('SIGUSR1');
        await untilLine(pause, 'USR1');
        // Had the child got USR1 too, its trap would run no later than the
        // one for this USR2 (the shell runs pending traps lowest first).
        const child = await until('the program\'s child is found', () => childShell(program));
        process.kill(child, 'SIGUSR2');
        await untilLine(pause, 'child USR2');
        expect(childLines(pause.stdout())).toEqual(['child ready', 'child USR2']);
      });
    }
  }
});
