// Every architecture's pause, run under qemu-user as PID 1 of a
// fresh PID namespace, reaps the orphans the namespace hands it: a shell
// started in the namespace (nsenter) forks children and exits, so they are
// reparented to pause; when they all exit at once (their SIGCHLDs coalesce)
// no zombie is left. SIGTERM then still shuts pause down: its SIGCHLD
// handler (handlers design) returned cleanly through the restorer.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { DESIGNS, until, procStatus } from '../support/processes.ts';
import {
  allChildrenOf, enterNamespaceArgs, exitWithin, forEachForeignArch, startQemuPause, untilWaiting, type QemuPause,
} from '../support/qemu.ts';

const ORPHANS = 50;

let pause: QemuPause | undefined;
let release: Writable | undefined;
afterEach(async () => {
  release?.destroy();
  release = undefined;
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) pause.kill('SIGKILL');
  await pause.exited;
  pause.cleanup();
  pause = undefined;
});

forEachForeignArch('the orphan reaping tests under qemu', true, (arch) => {
  for (const design of DESIGNS) {
    it(`reaps ${ORPHANS} adopted orphans that exit at once, leaving no zombie (${design} design)`, async () => {
      pause = await startQemuPause('PID 1', arch, design);
      await untilWaiting(pause, design);
      const { pid } = pause;

      // In pause's namespace, a shell forks readers of fd 3 and exits: they are orphans.
      const script = `i=0; while [ $i -lt ${ORPHANS} ]; do read x <&3 & i=$((i+1)); done`;
      const shell = spawn('nsenter', [...enterNamespaceArgs(pid), 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
      release = shell.stdio[3] as Writable;
      let shellErr = '';
      shell.stderr?.setEncoding('utf8').on('data', (chunk: string) => (shellErr += chunk));
      const shellExit = await new Promise<number | null>((resolve) => shell.on('exit', (code) => resolve(code)));
      expect(shellExit, `nsenter: ${shellErr}`).toBe(0);
      await until(`pause has adopted ${ORPHANS} orphans`, () => (allChildrenOf(pid).length === ORPHANS ? true : undefined), 30_000);

      release.end();
      await until('every orphan is reaped', () => (allChildrenOf(pid).length === 0 ? true : undefined), 30_000);
      expect(allChildrenOf(pid)).toEqual([]);
      expect(procStatus(pid)?.State).toMatch(/^[SR]/);

      pause.kill('SIGTERM');
      expect(await exitWithin(pause)).toEqual({ code: 0, signal: null });
      expect(pause.stderr()).toBe('Shutting down, got signal: Terminated\n');
    });
  }
});
