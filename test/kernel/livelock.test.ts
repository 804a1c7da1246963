// A pause that never settles (mutant REAP_ECHILD spins on waitpid while it
// has living children) is reported as a livelock naming the step, and the
// runner still cleans up everything it started. The autoreap design calls
// waitpid only in init mode, so there the spin starts when the program
// exits and leaves a living orphan.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelSession, NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { PausekitError } from '../../src/errors.ts';
import type { Design, InitConfig, Step } from '../../src/scenario/types.ts';
import { DESIGNS, until } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the kernel livelock tests', KERNEL);

const STEPS: Step[] = [
  { event: 'spawn', name: 'app', parent: 'outside', reaps: true },
  { event: 'spawn', name: 'a', parent: 'app', reaps: true },
  { event: 'spawn', name: 'b', parent: 'app', reaps: true },
  { event: 'exit', name: 'app', code: 0 }, // a and b are now pause's
  { event: 'exit', name: 'a', code: 0 }, // SIGCHLD while b lives: the mutant spins
];

const PROGRAM: InitConfig = { name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true };
const INIT_STEPS: Step[] = [
  { event: 'spawn', name: 'a', parent: 'app', reaps: true },
  { event: 'exit', name: 'app', code: 0 }, // a is now pause's, alive: the mutant spins
];

/** The steps, the program (init mode) if any, and the step that sets the mutant spinning, as the error names it. */
function plan(design: Design): { steps: Step[]; init?: InitConfig; spinning: RegExp; index: number } {
  if (design === 'autoreap') return { steps: INIT_STEPS, init: PROGRAM, spinning: /^step 1 \(exit app 0\): .*300 ms/, index: 1 };
  return { steps: STEPS, spinning: /^step 4 \(exit a 0\): .*300 ms/, index: 4 };
}

describe.skipIf(skip)('a pause that never settles', () => {
  for (const design of DESIGNS) {
    it(`is reported as a livelock at the step that set it spinning, and cleaned up (${design} design, REAP_ECHILD)`, async () => {
      const binary = `${NATIVE_DIR}mutants/pause-${design}-REAP_ECHILD`;
      const { steps, init, spinning, index: spinAt } = plan(design);
      const session = await KernelSession.open({ design, binary, pid1: true, scenarioInit: init, settleTimeoutMs: 300 });
      let pids: Record<string, number> = {};
      let error: unknown;
      try {
        for (const [index, step] of steps.entries()) {
          if (index === steps.length - 1) pids = await session.pids();
          await session.step(step, index);
        }
      } catch (caught) {
        error = caught;
      } finally {
        await session.close();
      }
      expect(error).toBeInstanceOf(PausekitError);
      expect((error as PausekitError).details).toMatchObject({ kind: 'livelock', step: spinAt });
      expect((error as PausekitError).message).toMatch(spinning);
      await until('the spinning pause is gone', () =>
        Object.values(pids).every((pid) => !existsSync(`/proc/${pid}`)) ? true : undefined);
    });
  }
});
