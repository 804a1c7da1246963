// Init mode: every signal pause can forward reaches the program -- HUP INT
// QUIT ABRT USR1 USR2 PIPE ALRM TERM STKFLT CONT TSTP TTIN TTOU WINCH URG
// XCPU XFSZ VTALRM PROF IO PWR SYS and the real-time signals 34..64 -- on
// every design, as PID 1 and as a plain process (with and without -s). The program, a busybox shell,
// traps each one and prints its name; the handshakes are its `ready` and
// each name, so one signal is sent at a time and none coalesces.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DESIGNS, FORWARDABLE, INIT_MODES, initWarning, nodeSignal, startInit, stopInit, trappingProgram, untilOutput,
  BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode forwarding tests', KERNEL, BUSYBOX_INSTALLED);

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`forwards each of the ${FORWARDABLE.length} forwardable signals to a program that traps them (${design} design, as ${mode})`, async () => {
        pause = await startInit(mode, design, ['--', ...trappingProgram(FORWARDABLE)]);
        await untilOutput(pause, 'ready\n');
        let expected = 'ready\n';
        for (const signal of FORWARDABLE) {
          process.kill(pause.pid, nodeSignal(signal));
          expected += `${signal}\n`;
          await untilOutput(pause, expected);
        }
        expect(pause.stdout()).toBe(expected);
        expect(pause.stderr()).toBe(initWarning(mode));
        // Still running: none of them ended the program or pause.
        expect(pause.child.exitCode).toBeNull();
      }, 60_000);
    }
  }
});
