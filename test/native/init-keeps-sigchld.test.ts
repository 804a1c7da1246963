// Init mode: SIGCHLD is pause's own -- it reaps -- and is never forwarded;
// the program only hears of its own children. The program traps CHLD and
// WINCH: after SIGCHLD and then SIGWINCH are sent to pause, the program
// reports WINCH (forwarded) and never CHLD. Both designs, as PID 1 and as a
// plain process (with and without -s).
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, INIT_MODES, startInit, stopInit, until, untilLine, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode SIGCHLD tests', KERNEL, BUSYBOX_INSTALLED);
// One child the shell waits for, never replaced: no SIGCHLD of its own.
const PROGRAM = [BUSYBOX, 'sh', '-c', "trap 'echo CHLD' CHLD; trap 'echo WINCH' WINCH; busybox sleep 1000 & echo ready; while :; do wait $!; done"];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`does not forward SIGCHLD to the program (${design} design, as ${mode})`, async () => {
        pause = await startInit(mode, design, ['--', ...PROGRAM]);
        await untilLine(pause, 'ready');
        pause.kill('SIGCHLD');
        pause.kill('SIGWINCH');
        await untilLine(pause, 'WINCH');
        // A second round, for a handlers-design pause that took WINCH first.
        pause.kill('SIGCHLD');
        pause.kill('SIGWINCH');
        const current = pause;
        await until('the program has reported WINCH twice', () =>
          (current.stdout().split('\n').filter((line) => line === 'WINCH').length === 2 ? true : undefined));
        expect(pause.stdout()).toBe('ready\nWINCH\nWINCH\n');
      });
    }
  }
});
