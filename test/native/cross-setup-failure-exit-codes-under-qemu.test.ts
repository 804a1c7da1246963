// Every architecture's pause, run under qemu-user, exits with its
// own code when taking over a signal fails: sigaction for SIGINT 1, SIGTERM
// 2, SIGCHLD 3. native/failcall (which execs qemu by its full path) fails the host's rt_sigaction for that
// signal (seccomp); qemu-user passes the guest's sigaction on to the host and
// the failure back, through each architecture's own error convention (ppc64le
// flags it in cr0 with a positive errno). The sigwait design's sigprocmask
// (code 4) never reaches the host under qemu, which keeps the guest's signal mask
// itself: test/native/setup-failure-exit-codes.test.ts makes that check on the host.
import { afterEach, expect, it } from 'vitest';
import type { Design } from '../../src/scenario/types.ts';
import { cannotRun } from '../support/gate.ts';
import { FAILCALL, FAILCALL_BUILT, MODES, startPause, type PauseProcess } from '../support/processes.ts';
import { archBinary, exitWithin, forEachForeignArch, qemuPath } from '../support/qemu.ts';

const noFailcall = cannotRun('the setup failure tests under qemu', FAILCALL_BUILT);

const FAILURES: { design: Design; signal: number; what: string; code: number }[] = [
  { design: 'handlers', signal: 2, what: 'sigaction(SIGINT)', code: 1 },
  { design: 'handlers', signal: 15, what: 'sigaction(SIGTERM)', code: 2 },
  { design: 'handlers', signal: 17, what: 'sigaction(SIGCHLD)', code: 3 },
  { design: 'sigwait', signal: 17, what: 'sigaction(SIGCHLD)', code: 3 },
];

let pause: PauseProcess | undefined;
afterEach(async () => {
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) pause.kill('SIGKILL');
  await pause.exited;
  pause = undefined;
});

forEachForeignArch('the setup failure tests under qemu', true, (arch) => {
  for (const { design, signal, what, code } of FAILURES) {
    for (const mode of MODES) {
      it.skipIf(noFailcall)(`exits ${code} when ${what} fails (${design} design, as ${mode})`, async () => {
        pause = await startPause(mode, [FAILCALL, 'rt_sigaction', String(signal), qemuPath(arch) as string, archBinary(arch, design)]);
        expect(await exitWithin(pause)).toEqual({ code, signal: null });
        expect(pause.stderr()).toBe(mode === 'PID 1' ? '' : 'Warning: pause should be the first process\n');
        expect(pause.stdout()).toBe('');
      });
    }
  }
});
