// SIGINT (Ctrl-C) and SIGTERM while a command writes its output files.
//
// Commands that only print (run, diff, explore) let these signals end the
// process at once: nothing of theirs is left half-done (the kernel driver
// dies with its parent, see src/engines/kernel/engine.ts). A command that
// writes files holds them instead: a handler defers the signal, so a
// synchronous write (writeFileAtomic: a temporary file, renamed into place)
// always finishes, and the command stops at its next checkpoint with
// `pausekit: interrupted by SIGINT; ...` and exit 128+signal.
import { constants } from 'node:os';
import { PausekitError } from '../errors.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export class HeldSignals {
  #signal: NodeJS.Signals | undefined;
  readonly #listener = (signal: NodeJS.Signals): void => {
    this.#signal ??= signal;
  };

  /** From now on SIGINT and SIGTERM are held until release(). */
  constructor() {
    for (const signal of SIGNALS) process.on(signal, this.#listener);
  }

  /**
   * Throws the interruption if a signal came: `done` says what was already
   * finished (e.g. "nothing was written"). A signal that arrived during
   * synchronous work is delivered at the next turn of the event loop, so
   * this waits for one turn before it looks.
   */
  async checkpoint(done: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const signal = this.#signal;
    if (signal !== undefined) {
      throw new PausekitError(`interrupted by ${signal}; ${done}`, { signal }, 128 + constants.signals[signal]);
    }
  }

  /** Signals end the process at once again. */
  release(): void {
    for (const signal of SIGNALS) process.off(signal, this.#listener);
  }
}
