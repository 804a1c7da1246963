// The pod's pids.max reached: pause as PID 1 in a cgroup whose pids
// controller allows 40 tasks; a shell forks orphans-to-be until fork fails
// (EAGAIN, counted in pids.events) and exits, so pause adopts a full
// cgroup. pause needs no fork of its own: it reaps them all, forks succeed
// again, and SIGTERM still ends it with its line and exit 0 (every design).
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, childrenOf, exitOf, procInfo, startPause, stopPause, until, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { cgroupController, makeCgroup, type TestCgroup } from '../support/cgroup.ts';

const skip = cannotRun('the pids.max tests', KERNEL, cgroupController('pids'));
const PIDS_MAX = 40;

describe.skipIf(skip)('pause in a pod whose pids.max is reached', () => {
  let pause: PauseProcess | undefined;
  let cgroup: TestCgroup | undefined;
  afterEach(async () => {
    await stopPause(pause);
    await cgroup?.remove();
  });

  for (const design of DESIGNS) {
    it(`reaps the orphans that filled pids.max=${PIDS_MAX} while forks fail around it, then exits 0 on SIGTERM (${design} design)`, async () => {
      cgroup = makeCgroup('pids', 'pids-max');
      cgroup.write('pids.max', String(PIDS_MAX));
      // The shell (PID 1) joins the cgroup; a subshell forks readers of fd 3
      // until fork fails (the shell then gives up, exiting), and the shell
      // becomes pause. Everything in the namespace counts against pids.max.
      const script = `echo 0 > ${cgroup.dir}/cgroup.procs; ` +
        `(i=0; while [ $i -lt ${PIDS_MAX * 2} ]; do read x <&3 & i=$((i+1)); done) 2>/dev/null & exec "$0"`;
      pause = await startPause('PID 1', ['sh', '-c', script, pauseBinary(design)], ['pipe']);
      await untilReady(pause, design);
      const { pid } = pause;
      const c = cgroup;
      // Full: forks have failed, and every task but pause is an orphan it adopted, asleep.
      const adopted = await until('the cgroup is full and every task in it but pause is an adopted orphan', () => {
        const kids = childrenOf(pid);
        const full = c.key('pids.events', 'max') > 0 && kids.length === c.procs().length - 1;
        return full && kids.every((k) => procInfo(k)?.state === 'S') ? kids.length : undefined;
      });
      expect(c.procs()).toContain(pid);
      expect(adopted).toBeGreaterThanOrEqual(PIDS_MAX - 3);
      expect(Number(c.read('pids.current'))).toBeLessThanOrEqual(PIDS_MAX);

      (pause.child.stdio[3] as Writable).end();
      await until('every orphan is reaped', () => (childrenOf(pid).length === 0 ? true : undefined));
      expect(Number(c.read('pids.current'))).toBe(1);

      pause.kill('SIGTERM');
      expect(await exitOf(pause, 'pause after SIGTERM', 5000)).toEqual({ code: 0, signal: null });
      expect(pause.stderr()).toBe('Shutting down, got signal: Terminated\n');
    });
  }
});
