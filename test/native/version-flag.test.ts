// Reference row: argument -v (any position, case-insensitive) prints
// `pause.c <version>` on stdout and exits 0, on both builds, as PID 1 and not.
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, expectedVersionLine, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the version flag tests', KERNEL);
const ARGUMENTS = [['-v'], ['-V'], ['first', '-v'], ['-V', 'last'], ['a', '-v', 'b']];

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      for (const args of ARGUMENTS) {
        it(`prints its version and exits 0 when run with arguments ${JSON.stringify(args)} (${design} design, as ${mode})`, async () => {
          pause = await startPause(mode, [pauseBinary(design), ...args]);
          const exit = await pause.exited;
          expect(exit).toEqual({ code: 0, signal: null });
          expect(pause.stdout()).toBe(expectedVersionLine());
          expect(pause.stderr()).toBe('');
        });
      }

      it(`does not take "-vv" or "--v" for the version flag -v (${design} design, as ${mode})`, async () => {
        pause = await startPause(mode, [pauseBinary(design), '-vv', '--v', 'v']);
        await untilReady(pause, design);
        expect(pause.stdout()).toBe('');
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 0, signal: null });
      });
    }
  }
});
