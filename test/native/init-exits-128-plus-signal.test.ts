// Init mode: when signal N kills the program, pause exits 128+N -- for every
// signal whose default action kills (the program killing itself), and for
// every forwardable one sent to pause (forwarded, the program dies of it),
// on every design, as PID 1 and as a plain process (with and without -s).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUSYBOX, DESIGNS, INIT_MODES, startInit, stopInit, until, untilProgram, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode 128+N tests', KERNEL, BUSYBOX_INSTALLED);

/** A process's command line, NUL-separated ('' once it is gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

/** Signals whose default action ends a process (signal(7)): all but CHLD, CONT, STOP, TSTP, TTIN, TTOU, URG, WINCH. */
const FATAL = Array.from({ length: 64 }, (_, i) => i + 1).filter((n) => ![17, 18, 19, 20, 21, 22, 23, 28].includes(n));
/** The fatal ones pause forwards: HUP INT QUIT USR1 USR2 PIPE ALRM TERM XCPU XFSZ VTALRM PROF IO PWR SYS, and 34..64. */
const FORWARDED_FATAL = FATAL.filter((n) => [1, 2, 3, 10, 12, 13, 14, 15, 24, 25, 26, 27, 29, 30, 31].includes(n) || n >= 34);

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`exits 128+N when signal N kills the program, for each of the ${FATAL.length} signals that can (${design} design, as ${mode})`, async () => {
        const exits: string[] = [];
        for (const n of FATAL) {
          // No core files: the program's core-dumping signals dump nothing.
          pause = await startInit(mode, design, ['--', BUSYBOX, 'sh', '-c', 'ulimit -c 0; exec busybox sleep 1000']);
          const program = await untilProgram(pause);
          await until('the program runs busybox sleep', () => (cmdline(program).startsWith('busybox\0sleep') ? true : undefined));
          process.kill(program, n);
          const exit = await pause.exited;
          exits.push(`${n}: ${exit.code ?? exit.signal}`);
          pause = undefined;
        }
        expect(exits).toEqual(FATAL.map((n) => `${n}: ${128 + n}`));
      }, 120_000);

      it(`forwards each of the ${FORWARDED_FATAL.length} forwardable fatal signals to the program and exits 128+N when it dies of it (${design} design, as ${mode})`, async () => {
        const exits: string[] = [];
        for (const n of FORWARDED_FATAL) {
          pause = await startInit(mode, design, ['--', BUSYBOX, 'sleep', '1000']);
          await untilProgram(pause);
          process.kill(pause.pid, n);
          const exit = await pause.exited;
          exits.push(`${n}: ${exit.code ?? exit.signal}`);
          pause = undefined;
        }
        expect(exits).toEqual(FORWARDED_FATAL.map((n) => `${n}: ${128 + n}`));
      }, 120_000);
    }
  }
});
