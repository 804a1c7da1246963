// Reference row: SIGINT or SIGTERM prints psignal's line on stderr and exits 0.
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the shutdown signal tests', KERNEL);
const SIGNALS = [
  { signal: 'SIGINT', line: 'Shutting down, got signal: Interrupt\n' },
  { signal: 'SIGTERM', line: 'Shutting down, got signal: Terminated\n' },
] as const;

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      for (const { signal, line } of SIGNALS) {
        it(`prints "${line.trim()}" and exits 0 on ${signal} (${design} design, as ${mode})`, async () => {
          pause = await startPause(mode, [pauseBinary(design)]);
          await untilReady(pause, design);
          pause.kill(signal);
          expect(await pause.exited).toEqual({ code: 0, signal: null });
          const warning = mode === 'PID 1' ? '' : 'Warning: pause should be the first process\n';
          expect(pause.stderr()).toBe(warning + line);
          expect(pause.stdout()).toBe('');
        });
      }
    }
  }
});
