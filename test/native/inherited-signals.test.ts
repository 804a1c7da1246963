// What pause is started with (nohup, a shell's `trap ''`, a runtime): perl
// sets signals to SIG_IGN and blocks others, then execs pause.
// - Init mode: the program starts ignoring and blocking exactly what pause
//   started with, as a plain exec would have left it (kernel rule K13); the
//   handlers design used to drop the ignored ones (under `nohup pause --
//   prog`, prog died of the SIGHUP nohup was meant to stop).
// - Reference mode: an inherited SIGTERM, ignored and blocked, still shuts
//   pause down (a handler replaces SIG_IGN and is unblocked; a sigwait takes
//   a blocked signal even if ignored); the handlers design used to keep it
//   blocked for good.
// Every design, as PID 1 and as a plain process (with and without -s).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  BUSYBOX, DESIGNS, INIT_MODES, MODES, initArgv, procStatus, startPause, stopInit, stopPause, until, untilProgram,
  untilReady, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the inherited-signal tests', KERNEL, BUSYBOX_INSTALLED);

/** perl ignores `ignored` and blocks `blocked` (names as POSIX's constants), then execs its arguments. */
function startedWith(ignored: string[], blocked: string[]): string[] {
  const ignore = ignored.map((name) => `$SIG{${name}} = "IGNORE";`).join(' ');
  const block = `sigprocmask(SIG_BLOCK, POSIX::SigSet->new(${blocked.map((name) => `SIG${name}`).join(', ')})) or die "sigprocmask: $!";`;
  return ['perl', '-MPOSIX', '-e', `${ignore} ${block} exec @ARGV or die "exec: $!"`];
}

/** A /proc/PID/status mask (16 hex digits) of these signal numbers. */
function mask(...signals: number[]): string {
  return signals.reduce((bits, n) => bits | (1n << BigInt(n - 1)), 0n).toString(16).padStart(16, '0');
}

describe.skipIf(skip)('what pause is started with', () => {
  let pause: PauseProcess | undefined;
  let init = false;
  afterEach(() => (init ? stopInit(pause) : stopPause(pause)));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`init mode: the program starts with HUP and INT ignored and USR1 blocked, as pause did (${design} design, as ${mode})`, async () => {
        init = true;
        const argv = [...startedWith(['HUP', 'INT'], ['USR1']), ...initArgv(mode, pauseBinary(design), ['--', BUSYBOX, 'sleep', '1000'])];
        pause = await startPause(mode === 'PID 1' ? 'PID 1' : 'a plain process', argv);
        const program = await untilProgram(pause);
        await until('the program runs busybox sleep', () =>
          (readFileSync(`/proc/${program}/cmdline`, 'latin1') === `${BUSYBOX}\0sleep\x001000\0` ? true : undefined));
        const status = procStatus(program)!;
        expect({ SigIgn: status.SigIgn, SigBlk: status.SigBlk, SigCgt: status.SigCgt })
          .toEqual({ SigIgn: mask(1, 2), SigBlk: mask(10), SigCgt: mask() });
      });
    }

    for (const mode of MODES) {
      it(`reference mode: SIGTERM ignored and blocked at the start still shuts pause down (${design} design, as ${mode})`, async () => {
        init = false;
        pause = await startPause(mode, [...startedWith(['TERM'], ['TERM']), pauseBinary(design)]);
        await untilReady(pause, design);
        pause.kill('SIGTERM');
        expect(await pause.exited).toEqual({ code: 0, signal: null });
        expect(pause.stderr()).toMatch(/Shutting down, got signal: Terminated\n$/);
      });
    }
  }
});
