// Init mode, not PID 1: without -s (or PAUSE_SUBREAPER set, even empty, as
// tini's TINI_SUBREAPER) pause warns in two lines that orphans will not be
// reaped, and they are not: an orphan goes past it. With -s or
// PAUSE_SUBREAPER it becomes a child subreaper, adopts the orphan, and says
// nothing. Started already a child subreaper (the flag survives exec: here
// perl sets it and execs pause) it adopts the orphan too and says nothing,
// in either mode. As PID 1 it says nothing either. Every design. (Reference
// mode keeps its one line; see not-pid1-warning.test.ts.)
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, INIT_WARNING, ok, procInfo, startInit, startPause, stopInit, until, untilLine, untilReady, BUSYBOX_INSTALLED,
  type InitMode, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';

const skip = cannotRun('the init-mode not-PID-1 tests', KERNEL, BUSYBOX_INSTALLED);

/** Host pids of the processes whose command line is `argv`. */
function processesRunning(argv: string[]): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1') === `${argv.join('\0')}\0`;
    } catch {
      return false;
    }
  }).map(Number);
}

/** perl's prctl(PR_SET_CHILD_SUBREAPER, 1), then exec of its arguments: pause starts a child subreaper. */
const AS_SUBREAPER = ['perl', '-e',
  'require "sys/syscall.ph"; syscall(&SYS_prctl, 36, 1, 0, 0, 0) == 0 or die "prctl: $!"; exec @ARGV or die "exec: $!"'];

const CASES: { mode: InitMode; env?: string; already?: boolean; adopts: boolean }[] = [
  { mode: 'PID 1', adopts: true },
  { mode: 'a plain process', adopts: false },
  { mode: 'a plain process with -s', adopts: true },
  { mode: 'a plain process', env: '1', adopts: true },
  { mode: 'a plain process', env: '', adopts: true },
  { mode: 'a plain process', already: true, adopts: true },
];

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  let dir: string | undefined;
  let orphans: number[] = [];
  afterEach(async () => {
    await stopInit(pause, orphans);
    orphans = [];
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const design of DESIGNS) {
    for (const { mode, env, already, adopts } of CASES) {
      const how = already === true ? `${mode} started a child subreaper`
        : env === undefined ? mode : `${mode} with PAUSE_SUBREAPER=${JSON.stringify(env)}`;
      const says = mode !== 'PID 1' && !adopts ? 'warns in two lines and does not adopt the orphan' : 'says nothing and adopts the orphan';
      it(`${says} (${design} design, as ${how})`, async () => {
        dir = mkdtempSync(join(tmpdir(), 'pausekit-subreaper-'));
        const fifo = join(dir, 'release');
        await ok('mkfifo', [fifo]);
        const environment = { ...process.env, PAUSE_SUBREAPER: env };
        if (env === undefined) delete environment.PAUSE_SUBREAPER;
        const program = ['--', BUSYBOX, 'sh', '-c', `busybox sh -c 'busybox cat ${fifo} >/dev/null &'; echo ready; exec busybox sleep 1000`];
        pause = already === true
          ? await startPause('a plain process', [...AS_SUBREAPER, pauseBinary(design), ...program], [], { env: environment })
          : await startInit(mode, design, program, { env: environment });
        await untilLine(pause, 'ready');
        orphans = await until('the orphan is found', () => {
          const found = processesRunning(['busybox', 'cat', fifo]);
          return found.length === 1 ? found : undefined;
        });
        const parent = procInfo(orphans[0]!)?.ppid;
        if (adopts) expect(parent).toBe(pause.pid);
        else expect(parent).not.toBe(pause.pid);
        closeSync(openSync(fifo, 'w'));
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 143, signal: null });
        expect(pause.stderr()).toBe(mode !== 'PID 1' && !adopts ? INIT_WARNING : '');
      });
    }

    it(`keeps reference mode's one warning line whatever PAUSE_SUBREAPER says (${design} design)`, async () => {
      pause = await startPause('a plain process', [pauseBinary(design)], [], { env: { ...process.env, PAUSE_SUBREAPER: '1' } });
      const current = pause;
      await until('the warning has arrived', () => (current.stderr() !== '' ? true : undefined));
      pause.kill('SIGTERM');
      expect(await pause.exited).toEqual({ code: 0, signal: null });
      expect(pause.stderr()).toBe('Warning: pause should be the first process\nShutting down, got signal: Terminated\n');
    });

    it(`says nothing in reference mode when started a child subreaper (${design} design)`, async () => {
      pause = await startPause('a plain process', [...AS_SUBREAPER, pauseBinary(design)], []);
      await untilReady(pause, design);
      pause.kill('SIGTERM');
      expect(await pause.exited).toEqual({ code: 0, signal: null });
      expect(pause.stderr()).toBe('Shutting down, got signal: Terminated\n');
    });
  }
});
