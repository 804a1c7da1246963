// Reference row: a failed setup call exits with its own code: sigaction for
// SIGINT 1, SIGTERM 2, SIGCHLD 3; the sigwait design's sigprocmask 4.
// native/failcall makes exactly that one call fail (seccomp), then runs pause.
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';
import { FAILCALL, FAILCALL_BUILT, MODES, startPause, stopPause, type PauseProcess } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the setup failure tests', KERNEL, FAILCALL_BUILT);

const FAILURES: { design: Design; call: string; arg: number; what: string; code: number }[] = [
  { design: 'handlers', call: 'rt_sigaction', arg: 2, what: 'sigaction(SIGINT)', code: 1 },
  { design: 'handlers', call: 'rt_sigaction', arg: 15, what: 'sigaction(SIGTERM)', code: 2 },
  { design: 'handlers', call: 'rt_sigaction', arg: 17, what: 'sigaction(SIGCHLD)', code: 3 },
  { design: 'sigwait', call: 'rt_sigaction', arg: 17, what: 'sigaction(SIGCHLD)', code: 3 },
  { design: 'sigwait', call: 'rt_sigprocmask', arg: 0, what: 'sigprocmask(SIG_BLOCK)', code: 4 },
];

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const { design, call, arg, what, code } of FAILURES) {
    for (const mode of MODES) {
      it(`exits with code ${code} when ${what} fails during setup (${design} design, as ${mode})`, async () => {
        pause = await startPause(mode, [FAILCALL, call, String(arg), pauseBinary(design)]);
        expect(await pause.exited).toEqual({ code, signal: null });
        expect(pause.stderr()).toBe(mode === 'PID 1' ? '' : 'Warning: pause should be the first process\n');
        expect(pause.stdout()).toBe('');
      });
    }
  }
});
