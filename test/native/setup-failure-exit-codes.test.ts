// Reference row: a failed setup call exits with its own code: sigaction for
// SIGINT 1, SIGTERM 2, SIGCHLD 3; the sigwait design's sigprocmask 4.
// native/failcall makes exactly that one call fail (seccomp), then runs pause.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { NATIVE_DIR, pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';
import { MODES, startPause, stopPause, warnIfSkipped, type PauseProcess } from '../support/processes.ts';

const FAILCALL = `${NATIVE_DIR}failcall`;
const why = !existsSync(FAILCALL) ? `${FAILCALL} is missing: run 'npm run build'`
  : !['x64', 'arm64'].includes(process.arch) ? `failcall knows x86-64 and aarch64 only, not ${process.arch}` : undefined;
if (why !== undefined) console.warn(`skipping the setup failure tests: ${why}`);
const skip = warnIfSkipped('the setup failure tests') || why !== undefined;

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
