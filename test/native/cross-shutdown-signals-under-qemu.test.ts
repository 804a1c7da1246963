// Every architecture's pause, run under qemu-user as PID 1 of a
// fresh PID namespace, prints psignal's line for SIGINT and SIGTERM and exits
// 0 -- the signals it handles, which qemu passes on to it.
import { afterEach, expect, it } from 'vitest';
import { DESIGNS } from '../support/processes.ts';
import { exitWithin, forEachForeignArch, startQemuPause, untilWaiting, type QemuPause } from '../support/qemu.ts';

const SIGNALS = [
  { signal: 'SIGINT', line: 'Shutting down, got signal: Interrupt\n' },
  { signal: 'SIGTERM', line: 'Shutting down, got signal: Terminated\n' },
] as const;

let pause: QemuPause | undefined;
afterEach(async () => {
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) pause.kill('SIGKILL');
  await pause.exited;
  pause.cleanup();
  pause = undefined;
});

forEachForeignArch('the shutdown signal tests under qemu', true, (arch) => {
  for (const design of DESIGNS) {
    for (const { signal, line } of SIGNALS) {
      it(`prints "${line.trim()}" and exits 0 on ${signal} as PID 1 (${design} design)`, async () => {
        pause = await startQemuPause('PID 1', arch, design);
        await untilWaiting(pause, design);
        pause.kill(signal);
        expect(await exitWithin(pause)).toEqual({ code: 0, signal: null });
        expect(pause.stderr()).toBe(line);
        expect(pause.stdout()).toBe('');
      });
    }
  }
});
