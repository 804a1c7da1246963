// pausekit/vitest: matchers for runs of pause, registered on vitest's
// `expect` by importing this module (`import 'pausekit/vitest'`).
//
//   expect(await runModel(scenario, { design: 'sigwait' })).toHaveReapedEverything();
//   expect(observations).toExitWith(0);
//   expect(checkScenario(model, scenario, { design: 'handlers' })).toHoldInvariants();
//
// vitest is an optional peer of the package: it is imported here, lazily,
// so that a project without it gets one line saying so rather than Node's
// ERR_MODULE_NOT_FOUND.
//
// A failure names an HTML page of the run it was given (the shrunk
// counterexample, in a fast-check property), in $PAUSEKIT_HTML_DIR or the
// system's temporary directory (src/view/counterexample.ts).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PausekitError } from './errors.ts';
import { exitedWith, heldInvariants, reapedEverything, type Verdict } from './check/expectations.ts';
import { drawFailure, type FailedCheck } from './view/counterexample.ts';

export { exitedWith, heldInvariants, reapedEverything } from './check/expectations.ts';
export type { Verdict } from './check/expectations.ts';

/** The matchers this module adds to vitest's `expect`. */
export interface PausekitMatchers<R = unknown> {
  /**
   * On a run's observations (runModel, runKernel): after every step at which
   * pause was running, no zombie whose parent is pause was left.
   */
  toHaveReapedEverything(): R;
  /** On a run's observations: pause ended by exiting with `code`. */
  toExitWith(code: number): R;
  /** On invariant violations (checkScenario) or a run with them (playPlan): there are none. */
  toHoldInvariants(): R;
}

declare module 'vitest' {
  interface Matchers<T = any> extends PausekitMatchers<T> {}
}

/** vitest's module, or a one-line error if the project has not installed it. */
async function importVitest(): Promise<typeof import('vitest')> {
  try {
    return await import('vitest');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /'vitest'/.test(String((error as Error).message))) {
      throw new PausekitError('pausekit/vitest needs vitest 3.2 or later: npm install --save-dev vitest', { field: 'vitest' });
    }
    throw error;
  }
}

const { expect } = await importVitest();

/** A failed check's message, naming the page that draws the run it was given (none for a negated check). */
function drawn(state: { isNot: boolean; currentTestName?: string; testPath?: string }, received: unknown, check: FailedCheck, verdict: Verdict): string {
  if (verdict.pass || state.isNot) return verdict.message;
  try {
    const file = drawFailure(received, check, verdict.message, { name: state.currentTestName, path: state.testPath }, join(tmpdir(), 'pausekit'));
    return file === undefined ? verdict.message : `${verdict.message}\n  the run, drawn: ${file}`;
  } catch (error) {
    return `${verdict.message}\n  (the run could not be drawn: ${error instanceof Error ? error.message : String(error)})`;
  }
}

expect.extend({
  toHaveReapedEverything(received: unknown) {
    const verdict = reapedEverything(received);
    return { pass: verdict.pass, message: () => drawn(this, received, 'reaped everything', verdict) };
  },
  toExitWith(received: unknown, code: number) {
    const verdict = exitedWith(received, code);
    return { pass: verdict.pass, message: () => drawn(this, received, 'exit code', verdict) };
  },
  toHoldInvariants(received: unknown) {
    const verdict = heldInvariants(received);
    return { pass: verdict.pass, message: () => drawn(this, received, 'invariants', verdict) };
  },
});
