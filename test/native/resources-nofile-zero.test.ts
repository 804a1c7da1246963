// With RLIMIT_NOFILE at 0 (no fd can be opened; the three it has stay open)
// pause still says its lines, reaps adopted orphans as PID 1, and exits 0 on
// SIGTERM, on every design. Its check of stderr before a write (poll) fails
// with EINVAL under this limit, and it writes all the same (docs/pause.md).
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, exitOf, startPause, stopPause, until, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the RLIMIT_NOFILE 0 tests', KERNEL);
const ORPHANS = 50;
const WARNING = 'Warning: pause should be the first process\n';

describe.skipIf(skip)('pause with RLIMIT_NOFILE 0', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      const reaps = mode === 'PID 1' ? `, reaps ${ORPHANS} adopted orphans` : '';
      it(`says its lines${reaps} and exits 0 on SIGTERM (${design} design, as ${mode})`, async () => {
        const orphans = mode === 'PID 1' ? `(i=0; while [ $i -lt ${ORPHANS} ]; do read x <&3 & i=$((i+1)); done) & ` : '';
        pause = await startPause(mode, ['sh', '-c', `${orphans}exec prlimit --nofile=0:0 "$0"`, pauseBinary(design)], ['pipe']);
        await untilReady(pause, design);
        const { pid } = pause;
        expect(readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(/^Max open files\s+0\s+0\s+files\s*$/m);
        if (mode === 'PID 1') {
          await until(`pause has adopted ${ORPHANS} orphans`, () => (childrenOf(pid).length === ORPHANS ? true : undefined));
          (pause.child.stdio[3] as Writable).end();
          await until('every orphan is reaped', () => (childrenOf(pid).length === 0 ? true : undefined));
        }
        pause.kill('SIGTERM');
        expect(await exitOf(pause, 'pause after SIGTERM', 5000)).toEqual({ code: 0, signal: null });
        expect(pause.stderr()).toBe(`${mode === 'PID 1' ? '' : WARNING}Shutting down, got signal: Terminated\n`);
      });
    }
  }
});
