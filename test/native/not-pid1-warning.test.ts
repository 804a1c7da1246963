// Reference row: pid != 1 at start prints the warning on stderr and keeps
// going; as PID 1 there is no warning.
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, until, procStatus, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the not-PID-1 warning tests', KERNEL);
const WARNING = 'Warning: pause should be the first process\n';

describe.skipIf(skip)('the not-PID-1 warning', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      const warns = mode === 'a plain process';
      it(`${warns ? 'is printed, and pause keeps running,' : 'is not printed'} when pause runs as ${mode} (${design} design)`, async () => {
        pause = await startPause(mode, [pauseBinary(design)]);
        await untilReady(pause, design);
        const current = pause;
        if (warns) await until('the warning has arrived', () => (current.stderr() === WARNING ? true : undefined));
        // It keeps going: still there, and still shuts down as usual.
        expect(procStatus(pause.pid)?.State).toMatch(/^[SR]/);
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 0, signal: null });
        expect(pause.stderr()).toBe(`${warns ? WARNING : ''}Shutting down, got signal: Terminated\n`);
        expect(pause.stdout()).toBe('');
      });
    }
  }
});
