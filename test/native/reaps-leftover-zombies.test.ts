// pause reaps the zombies it has from before its exec: children of the
// process that became pause (a shell's `cmd & exec pause`) that died before
// pause ran, whose SIGCHLD went to a program that ignored it. Without the
// drain at the start (pause.c: reap_leftovers) they stayed zombies: until
// another child died (sigwait, handlers) or forever (autoreap, whose
// SIG_IGN releases only the children that exit later). build/native/leftover
// makes them deterministically: it forks children, waits until each is a
// zombie, and execs pause. The same in init mode, before the fork.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeProgram, pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, procInfo, procStatus, startPause, stopPause, until, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the leftover zombie tests', KERNEL);
const LEFTOVER = nativeProgram('leftover');
const ZOMBIES = 5;

describe.skipIf(skip)('pause started with zombie children it never heard of', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  it('has its helper built', () => {
    expect(existsSync(LEFTOVER), `${LEFTOVER} is missing: run npm run build`).toBe(true);
  });

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      it(`reaps all ${ZOMBIES} at its start (${design} design, as ${mode})`, async () => {
        pause = await startPause(mode, [LEFTOVER, String(ZOMBIES), pauseBinary(design)]);
        await untilReady(pause, design);
        const { pid } = pause;
        await until(`pause (${pid}) has no child left`, () => (childrenOf(pid).length === 0 ? true : undefined));
        expect(procInfo(pid)?.state).toMatch(/^[SR]$/);
      });
    }

    it(`reaps them in init mode too, and its program runs (${design} design, as PID 1)`, async () => {
      // The program waits on fd 3, which the test holds open.
      pause = await startPause('PID 1', [LEFTOVER, String(ZOMBIES), pauseBinary(design), '--', 'sh', '-c', 'read x <&3'], ['pipe']);
      const { pid } = pause;
      // Before pause runs, the process is leftover still forking, and its
      // first child can be seen alive on its way to becoming a zombie: the
      // program is known by its name, and no leftover child may remain.
      const program = await until('pause has reaped the leftovers and its program runs', () => {
        const kids = childrenOf(pid);
        const status = kids.length === 1 ? procStatus(kids[0]!) : undefined;
        return status?.Name === 'sh' && status.State?.charAt(0) !== 'Z' ? kids[0] : undefined;
      });
      expect(childrenOf(pid)).toEqual([program]);
      expect(procInfo(program)?.state).not.toBe('Z');
    });
  }
});
