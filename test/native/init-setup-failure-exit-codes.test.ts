// Init mode: a failed setup call exits with its own code, before anything
// is started: sigaction for SIGCHLD 3, for a forwarded signal 6 (handlers
// design), sigprocmask 4, and fork 5 with "pause: cannot fork: error N".
// native/failcall makes exactly that one call fail (seccomp, EINVAL), then
// runs pause.
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';
import { BUSYBOX, FAILCALL, FAILCALL_BUILT, INIT_MODES, initArgv, initWarning, startPause, stopInit, BUSYBOX_INSTALLED, type PauseProcess } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode setup failure tests', KERNEL, BUSYBOX_INSTALLED, FAILCALL_BUILT);
const EINVAL = 22;

const FAILURES: { design: Design; call: string; arg: number; what: string; code: number; message?: string }[] = [
  { design: 'handlers', call: 'rt_sigaction', arg: 2, what: 'sigaction(SIGINT)', code: 6 },
  { design: 'handlers', call: 'rt_sigaction', arg: 10, what: 'sigaction(SIGUSR1)', code: 6 },
  { design: 'handlers', call: 'rt_sigaction', arg: 64, what: 'sigaction(64)', code: 6 },
  { design: 'handlers', call: 'rt_sigaction', arg: 17, what: 'sigaction(SIGCHLD)', code: 3 },
  { design: 'handlers', call: 'rt_sigprocmask', arg: 0, what: 'sigprocmask(SIG_BLOCK)', code: 4 },
  { design: 'handlers', call: 'clone', arg: 17, what: 'fork (clone with SIGCHLD)', code: 5, message: `pause: cannot fork: error ${EINVAL}\n` },
  { design: 'sigwait', call: 'rt_sigaction', arg: 17, what: 'sigaction(SIGCHLD)', code: 3 },
  { design: 'sigwait', call: 'rt_sigprocmask', arg: 0, what: 'sigprocmask(SIG_BLOCK)', code: 4 },
  { design: 'sigwait', call: 'clone', arg: 17, what: 'fork (clone with SIGCHLD)', code: 5, message: `pause: cannot fork: error ${EINVAL}\n` },
];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const { design, call, arg, what, code, message } of FAILURES) {
    for (const mode of INIT_MODES) {
      it(`exits with code ${code}, the program never started, when ${what} fails during setup (${design} design, as ${mode})`, async () => {
        const argv = initArgv(mode, pauseBinary(design), ['--', BUSYBOX, 'echo', 'started']);
        pause = await startPause(mode === 'PID 1' ? 'PID 1' : 'a plain process', [FAILCALL, call, String(arg), ...argv]);
        expect(await pause.exited).toEqual({ code, signal: null });
        expect(pause.stderr()).toBe(initWarning(mode) + (message ?? ''));
        expect(pause.stdout()).toBe('');
      });
    }
  }
});
