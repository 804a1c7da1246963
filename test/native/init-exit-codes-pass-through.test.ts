// Init mode: pause exits with the program's exit code, every one of 0..255,
// on every design, as PID 1 and as a plain process (with and without -s).
// One shell loop per case runs all 256 programs (a static busybox `sh -c
// 'exit N'`), so the whole range costs a few seconds.
import { describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import { BUSYBOX, DESIGNS, INIT_MODES, initArgv, ok, pid1Prefix, BUSYBOX_INSTALLED } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode exit code tests', KERNEL, BUSYBOX_INSTALLED);
const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

describe.skipIf(skip)('pause -- PROGRAM', () => {
  for (const design of DESIGNS) {
    for (const mode of INIT_MODES) {
      it(`exits with the program's exit code, every one of 0..255 (${design} design, as ${mode})`, async () => {
        const pause = [...(mode === 'PID 1' ? pid1Prefix() : []), ...initArgv(mode, pauseBinary(design), ['--', BUSYBOX, 'sh', '-c'])];
        // Each line: N, then pause's exit status for `exit N`.
        const script = `n=0; while [ $n -le 255 ]; do ${pause.map(quote).join(' ')} "exit $n" 2>/dev/null; echo "$n $?"; n=$((n + 1)); done`;
        const lines = (await ok(BUSYBOX, ['sh', '-c', script], { timeoutMs: 60_000 })).trim().split('\n');
        expect(lines).toEqual(Array.from({ length: 256 }, (_, n) => `${n} ${n}`));
      }, 90_000);
    }
  }
});
