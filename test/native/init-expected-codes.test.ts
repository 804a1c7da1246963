// Init mode, -e CODE (repeatable): the program's status CODE becomes exit 0
// -- its exit code, or 128+N once signal N killed it (-e applies after that,
// so -e 15 does not hide a SIGTERM); any other status passes through. Both
// designs, as PID 1 and as a plain process (with and without -s).
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, INIT_MODES, initWarning, startInit, stopInit, untilLine, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode -e tests', KERNEL, BUSYBOX_INSTALLED);

const CASES: { options: string[]; end: string; code: number }[] = [
  { options: ['-e', '3'], end: 'exit 3', code: 0 },
  { options: ['-e', '3', '-e', '4'], end: 'exit 4', code: 0 },
  { options: ['-e', '3', '-e', '4'], end: 'exit 5', code: 5 },
  { options: ['-e', '0'], end: 'exit 0', code: 0 },
  { options: ['-e', '255'], end: 'exit 255', code: 0 },
  { options: ['-e', '143'], end: 'SIGTERM', code: 0 },
  { options: ['-e', '15'], end: 'SIGTERM', code: 143 },
  { options: ['-e', '137'], end: 'SIGKILL', code: 0 },
];

describe.skipIf(skip)('pause -e CODE -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      for (const { options, end, code } of CASES) {
        it(`with ${options.join(' ')} exits ${code} when the program ends by ${end} (${design} design, as ${mode})`, async () => {
          // The program exits with a code, or waits to be signalled: TERM
          // through pause, KILL sent by itself.
          const script = end.startsWith('exit') ? end
            : end === 'SIGTERM' ? 'echo ready; exec busybox sleep 1000' : 'kill -KILL $$';
          pause = await startInit(mode, design, [...options, '--', BUSYBOX, 'sh', '-c', script]);
          if (end === 'SIGTERM') {
            await untilLine(pause, 'ready');
            pause.kill('SIGTERM');
          }
          expect(await pause.exited).toEqual({ code, signal: null });
          expect(pause.stderr()).toBe(initWarning(mode));
        });
      }
    }
  }
});
