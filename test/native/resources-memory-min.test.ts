// The pod's cgroup at its memory minimum: pause as PID 1 in a memory cgroup
// whose limit is pressed down to what is in use (the kernel refuses less),
// with orphans adopted: no page can be charged to the pod, and pause reaps
// them all the same (reaping needs no memory). Its SIGTERM line needs a page
// of the pipe it writes to, charged to the pod: with two pages of headroom
// pause says it and exits 0; pressed to the exact minimum, the charge wakes
// the kernel's OOM killer, whose only candidate is pause. Measured here:
// sigwait is killed right after its line; handlers before it, as the page
// for its signal frame is charged; memory.oom_control counts the kill. (An
// oom_score_adj of -1000 would make pause unkillable; this machine denies
// CAP_SYS_RESOURCE, so that case is not run.) docs/pause.md says so.
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';
import {
  DESIGNS, childrenOf, exitOf, procInfo, startPause, stopPause, until, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { cgroupController, makeCgroup, type TestCgroup } from '../support/cgroup.ts';

const skip = cannotRun('the memory minimum tests', KERNEL, cgroupController('memory'));
const ORPHANS = 20;
const PAGE = 4096;

/**
 * Presses the limit down to the least the kernel accepts (it refuses, EBUSY,
 * a limit it cannot reclaim down to): a binary search in pages between none
 * and what is in use. Returns the limit set.
 */
function pressToMinimum(c: TestCgroup): number {
  const accepts = (bytes: number): boolean => {
    try {
      c.write(c.files.memoryMax, String(bytes));
      return true;
    } catch {
      return false;
    }
  };
  let high = Math.ceil(Number(c.read(c.files.memoryCurrent)) / PAGE); // accepted (in use now)
  let low = 0; // refused
  if (!accepts(high * PAGE)) throw new Error(`the cgroup refuses a limit of its own usage, ${high * PAGE} bytes`);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (accepts(mid * PAGE)) high = mid;
    else low = mid;
  }
  if (!accepts(high * PAGE)) throw new Error(`the cgroup no longer accepts ${high * PAGE} bytes`);
  return high * PAGE;
}

describe.skipIf(skip)('pause in a pod at its memory minimum', () => {
  let pause: PauseProcess | undefined;
  let cgroup: TestCgroup | undefined;
  let reader: number | undefined;
  let writer: number | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-memory-'));
  afterEach(async () => {
    await stopPause(pause);
    await cgroup?.remove();
    for (const fd of [reader, writer]) if (fd !== undefined) closeSync(fd);
    reader = writer = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** pause as PID 1 in a fresh memory cgroup with ORPHANS adopted, its stderr a FIFO read here. */
  async function start(design: Design): Promise<{ pause: PauseProcess; c: TestCgroup; line: () => string }> {
    const c = (cgroup = makeCgroup('memory', 'memory-min'));
    const fifo = join(mkdtempSync(join(dir, 'case-')), 'stderr');
    execFileSync('mkfifo', [fifo]);
    const r = (reader = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
    writer = openSync(fifo, constants.O_WRONLY);
    const script = `echo 0 > ${c.dir}/cgroup.procs; ` +
      `(i=0; while [ $i -lt ${ORPHANS} ]; do read x <&3 & i=$((i+1)); done) & exec "$0"`;
    const p = (pause = await startPause('PID 1', ['sh', '-c', script, pauseBinary(design)], ['pipe'], { stderrFd: writer }));
    await untilReady(p, design);
    await until(`pause has adopted ${ORPHANS} orphans`, () => {
      const kids = childrenOf(p.pid);
      return kids.length === ORPHANS && kids.every((k) => procInfo(k)?.state === 'S') ? true : undefined;
    });
    expect(c.procs()).toContain(p.pid);
    const line = (): string => {
      const buf = Buffer.alloc(4096);
      try {
        return buf.subarray(0, readSync(r, buf)).toString();
      } catch {
        return ''; // EAGAIN: nothing was written
      }
    };
    return { pause: p, c, line };
  }

  /** Releases the orphans and waits until pause has reaped them all. */
  async function releaseAndReap(p: PauseProcess): Promise<void> {
    (p.child.stdio[3] as Writable).end();
    await until('every orphan is reaped', () => (childrenOf(p.pid).length === 0 ? true : undefined));
  }

  for (const design of DESIGNS) {
    it(`reaps every orphan at the minimum, and with two pages of headroom says its line and exits 0 on SIGTERM (${design} design)`, async () => {
      const { pause: p, c, line } = await start(design);
      pressToMinimum(c);
      await releaseAndReap(p);
      // Orphans that fault a page on their way out may be OOM-killed: reaped all the same.
      c.write(c.files.memoryMax, String(pressToMinimum(c) + 2 * PAGE));
      const kills = c.key('memory.oom_control', 'oom_kill');
      p.kill('SIGTERM');
      expect(await exitOf(p, 'pause after SIGTERM', 5000)).toEqual({ code: 0, signal: null });
      expect(line()).toBe('Shutting down, got signal: Terminated\n');
      expect(c.key('memory.oom_control', 'oom_kill')).toBe(kills);
    });

    it(`at the exact minimum, SIGTERM ends it: exit 0, or the OOM killer takes it after its whole line (${design} design)`, async () => {
      const { pause: p, c, line } = await start(design);
      await releaseAndReap(p);
      const limit = pressToMinimum(c);
      p.kill('SIGTERM');
      const exit = await exitOf(p, 'pause after SIGTERM', 5000);
      // unshare shares the FIFO: its own complaint about a killed child is not pause's.
      const said = line().replace(/^unshare: .*\n/gm, '');
      const killed = c.key('memory.oom_control', 'oom_kill');
      console.log(`${design}: limit ${limit} B: exit ${JSON.stringify(exit)}, OOM kills ${killed}, stderr ${JSON.stringify(said)}`);
      if (killed === 0) {
        // No kill: pause exited 0; its line was written whole or not at all.
        expect(exit).toEqual({ code: 0, signal: null });
        expect(['', 'Shutting down, got signal: Terminated\n']).toContain(said);
      } else {
        // Killed (unshare reports a child killed by SIGKILL as its own exit
        // 1): sigwait after its line, whose pipe page woke the OOM killer;
        // handlers before it, at the page its signal frame needed.
        expect(killed).toBe(1);
        expect(exit.code).not.toBe(0);
        expect(['', 'Shutting down, got signal: Terminated\n']).toContain(said);
      }
    });
  }
});
