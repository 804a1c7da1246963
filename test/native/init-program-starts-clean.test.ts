// Init mode: the program starts as if pause were not there (kernel rule K13:
// an init that blocks or handles signals must undo that before exec) -- no
// signal blocked, ignored or caught, whatever pause did with them -- in a
// process group of its own, and, when stdin is a terminal, as its
// foreground group. Both designs, as PID 1 and as a plain process (with and
// without -s).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  BUSYBOX, DESIGNS, INIT_MODES, initArgv, ok, pid1Prefix, procStatus, processGroupOf, startInit, stopInit, until,
  untilProgram, BUSYBOX_INSTALLED, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, file, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode program start tests', KERNEL, BUSYBOX_INSTALLED);
const SCRIPT = '/usr/bin/script';
const noScript = cannotRun('the terminal test', file(SCRIPT, 'Debian: apt-get install bsdutils'));
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

describe.skipIf(skip)('pause -- PROGRAM', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopInit(pause));

  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`starts the program in a process group of its own, with no signal blocked, ignored or caught (${design} design, as ${mode})`, async () => {
        pause = await startInit(mode, design, ['--', BUSYBOX, 'sleep', '1000']);
        const program = await untilProgram(pause);
        await until('the program runs busybox sleep', () =>
          (readFileSync(`/proc/${program}/cmdline`, 'latin1') === `${BUSYBOX}\0sleep\x001000\0` ? true : undefined));
        const status = procStatus(program)!;
        expect({ SigBlk: status.SigBlk, SigIgn: status.SigIgn, SigCgt: status.SigCgt })
          .toEqual({ SigBlk: '0000000000000000', SigIgn: '0000000000000000', SigCgt: '0000000000000000' });
        expect(processGroupOf(program)).toBe(program);
        expect(processGroupOf(pause.pid)).not.toBe(program);
      });

      it.skipIf(noScript)(`makes the program the terminal's foreground process group when stdin is a terminal (${design} design, as ${mode})`, async () => {
        // util-linux script(1) runs the command on a new pseudo-terminal;
        // the program prints its pid, its process group and the terminal's
        // foreground group (fields 1, 5 and 8 of its /proc/self/stat, read by
        // the shell itself, in the host's numbering).
        const program = [BUSYBOX, 'sh', '-c', 'read -r stat < /proc/self/stat; set -- $stat; echo "ids $1 $5 $8"'];
        const command = [...(mode === 'PID 1' ? pid1Prefix() : []), ...initArgv(mode, pauseBinary(design), ['--', ...program])];
        const out = await ok(SCRIPT, ['-qec', command.map(quote).join(' '), '/dev/null']);
        const [pid, group, foreground] = (/ids (\d+) (\d+) (\d+)/.exec(out) ?? []).slice(1);
        expect(pid).toMatch(/^\d+$/);
        expect({ group, foreground }).toEqual({ group: pid, foreground: pid });
      });
    }
  }
});
