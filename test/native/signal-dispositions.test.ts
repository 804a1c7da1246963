// Reference row: pause takes INT, TERM and CHLD and no other signal, so any
// other signal has its default action (seen as a plain process; as PID 1 the
// kernel drops them, see test/kernel/init-protection.test.ts). The autoreap
// design takes CHLD by ignoring it: the kernel reaps.
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, procStatus, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the signal disposition tests', KERNEL);
/** Bits 2 (INT), 15 (TERM) and 17 (CHLD) of a /proc signal mask. */
const INT_TERM_CHLD = '0000000000014002';
/** Bit 17 (CHLD). */
const CHLD = '0000000000010000';
const NONE = '0000000000000000';

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    const what = design === 'handlers' ? 'catches exactly INT, TERM and CHLD'
      : design === 'autoreap' ? 'catches no signal and ignores only CHLD (it waits for INT and TERM)'
      : 'catches no signal at all (it waits for them)';
    it(`${what} (${design} design)`, async () => {
      pause = await startPause('a plain process', [pauseBinary(design)]);
      await untilReady(pause, design);
      const status = procStatus(pause.pid);
      expect(status?.SigCgt).toBe(design === 'handlers' ? INT_TERM_CHLD : NONE);
      expect(status?.SigIgn).toBe(design === 'autoreap' ? CHLD : NONE);
    });

    for (const signal of ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGPIPE'] as const) {
      it(`dies of ${signal}, which it has no handler for, as a plain process (${design} design)`, async () => {
        pause = await startPause('a plain process', [pauseBinary(design)]);
        await untilReady(pause, design);
        pause.kill(signal);
        expect(await pause.exited).toEqual({ code: null, signal });
      });
    }

    it(`ignores SIGURG and SIGWINCH, whose default action is to ignore (${design} design)`, async () => {
      pause = await startPause('a plain process', [pauseBinary(design)]);
      await untilReady(pause, design);
      pause.kill('SIGURG');
      pause.kill('SIGWINCH');
      pause.kill('SIGTERM');
      expect(await pause.exited).toEqual({ code: 0, signal: null });
      expect(pause.stderr()).toMatch(/Terminated\n$/);
    });
  }
});
