// Init mode on every architecture: each one's pause, run under
// qemu-user as PID 1 of a fresh PID namespace, passes the program's exit
// code through, and forwards SIGTERM to it (143 when it dies of it). The
// program is the host's static busybox, which the guest's execve runs
// natively.
import { afterEach, expect, it } from 'vitest';
import { cannotRun } from '../support/gate.ts';
import { BUSYBOX, BUSYBOX_INSTALLED, DESIGNS, until } from '../support/processes.ts';
import { exitWithin, forEachForeignArch, startQemuPause, type QemuPause } from '../support/qemu.ts';

let pause: QemuPause | undefined;
afterEach(async () => {
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) pause.kill('SIGKILL');
  await pause.exited;
  pause.cleanup();
  pause = undefined;
});

forEachForeignArch('the init-mode tests under qemu', true, (arch) => {
  const noBusybox = cannotRun(`the init-mode tests under qemu for ${arch}`, BUSYBOX_INSTALLED);
  for (const design of DESIGNS) {
    it.skipIf(noBusybox)(`exits with the program's exit code as PID 1 (${design} design)`, async () => {
      pause = await startQemuPause('PID 1', arch, design, ['--', BUSYBOX, 'sh', '-c', 'exit 3']);
      expect(await exitWithin(pause)).toEqual({ code: 3, signal: null });
      expect(pause.stderr()).toBe('');
    });

    it.skipIf(noBusybox)(`forwards SIGTERM to the program and exits 143 as PID 1 (${design} design)`, async () => {
      // pause takes its signals before it forks, so a program that runs
      // proves them in place: the handshake is the program's own line.
      pause = await startQemuPause('PID 1', arch, design, ['--', BUSYBOX, 'sh', '-c', `echo ready; exec ${BUSYBOX} sleep 1000`]);
      const started = pause;
      await until('the program says it is ready', () => (started.stdout().includes('ready') ? true : undefined), 30_000);
      pause.kill('SIGTERM');
      expect(await exitWithin(pause)).toEqual({ code: 143, signal: null });
      expect(pause.stderr()).toBe('');
    });
  }
});
