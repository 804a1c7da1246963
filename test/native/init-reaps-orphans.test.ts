// Init mode: pause reaps every orphan the program leaves -- those already
// dead when they are reparented and those that die later -- while the
// program runs, so no zombie remains; then the program's end is pause's.
// As PID 1, and as a plain process with -s (a child subreaper); without -s
// orphans go to another process (see init-not-pid1-warning). Both designs.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, childrenOf, ok, procInfo, startInit, stopInit, until, untilLine, untilProgram, BUSYBOX_INSTALLED,
  type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode orphan tests', KERNEL, BUSYBOX_INSTALLED);
const DEAD = 20;
const WAITING = 10;

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await stopInit(pause);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const design of DESIGNS) {
    for (const mode of ['PID 1', 'a plain process with -s'] as const) {
      it(`reaps the ${DEAD + WAITING} orphans the program leaves, dead or alive when adopted: no zombie remains (${design} design, as ${mode})`, async () => {
        dir = mkdtempSync(join(tmpdir(), 'pausekit-orphans-'));
        const fifo = join(dir, 'release');
        await ok('mkfifo', [fifo]);
        // A shell that starts the orphans-to-be and exits: DEAD that exit at
        // once, WAITING that block until the fifo is written and closed.
        const orphans = `i=0; while [ $i -lt ${DEAD} ]; do busybox true & i=$((i + 1)); done; ` +
          `i=0; while [ $i -lt ${WAITING} ]; do busybox cat ${fifo} >/dev/null & i=$((i + 1)); done`;
        pause = await startInit(mode, design, ['--', BUSYBOX, 'sh', '-c', `busybox sh -c '${orphans}'; echo ready; exec busybox sleep 1000`]);
        await untilLine(pause, 'ready');
        const program = await untilProgram(pause);
        const current = pause;
        // Adopted: the waiting ones are pause's children now; the dead ones are reaped.
        const waiting = await until(`pause has adopted the ${WAITING} waiting orphans and reaped the rest`, () => {
          const others = childrenOf(current.pid).filter((pid) => pid !== program);
          return others.length === WAITING && others.every((pid) => procInfo(pid)?.state === 'S') ? others : undefined;
        });
        closeSync(openSync(fifo, 'w'));
        await until('pause has reaped every orphan: only the program is left', () =>
          (childrenOf(current.pid).join() === String(program) ? true : undefined));
        expect(waiting.map((pid) => procInfo(pid))).toEqual(waiting.map(() => undefined));
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 143, signal: null });
      });
    }
  }
});
