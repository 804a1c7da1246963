// Every architecture's pause, run under qemu-user, answers -v with
// `pause.c <version>` (as PID 1 of a fresh PID namespace), and warns on
// stderr when it is not PID 1 -- then keeps running until SIGTERM.
import { afterEach, expect, it } from 'vitest';
import { DESIGNS, expectedVersionLine, until, procStatus } from '../support/processes.ts';
import { exitWithin, forEachForeignArch, startQemuPause, untilWaiting, type QemuPause } from '../support/qemu.ts';

const WARNING = 'Warning: pause should be the first process\n';

let pause: QemuPause | undefined;
afterEach(async () => {
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) pause.kill('SIGKILL');
  await pause.exited;
  pause.cleanup();
  pause = undefined;
});

forEachForeignArch('the version and warning tests under qemu', true, (arch) => {
  for (const design of DESIGNS) {
    for (const args of [['-v'], ['first', '-V']]) {
      it(`prints its version and exits 0 with arguments ${JSON.stringify(args)} as PID 1 (${design} design)`, async () => {
        pause = await startQemuPause('PID 1', arch, design, args);
        expect(await exitWithin(pause)).toEqual({ code: 0, signal: null });
        expect(pause.stdout()).toBe(expectedVersionLine());
        expect(pause.stderr()).toBe('');
      });
    }

    it(`warns on stderr when it is not PID 1, keeps running, and exits 0 on SIGTERM (${design} design)`, async () => {
      pause = await startQemuPause('a plain process', arch, design);
      await untilWaiting(pause, design);
      const current = pause;
      await until('the warning has arrived', () => (current.stderr() === WARNING ? true : undefined));
      expect(procStatus(pause.pid)?.State).toMatch(/^[SR]/);
      pause.kill('SIGTERM');
      expect(await exitWithin(pause)).toEqual({ code: 0, signal: null });
      expect(pause.stderr()).toBe(`${WARNING}Shutting down, got signal: Terminated\n`);
      expect(pause.stdout()).toBe('');
    });
  }
});
