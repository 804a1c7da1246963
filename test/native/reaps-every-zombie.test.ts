// Reference row: on SIGCHLD pause loops waitpid(-1, WNOHANG) while it returns
// > 0, so children that die together (their SIGCHLDs coalesce into one) are
// all reaped.
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, until, procStatus, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the zombie reaping tests', KERNEL);
const CHILDREN = 100;

describe.skipIf(skip)('pause', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      it(`reaps every zombie when ${CHILDREN} children exit at once (${design} design, as ${mode})`, async () => {
        // The shell forks children that wait on fd 3, then becomes pause:
        // pause inherits them as its own children.
        const script = `i=0; while [ $i -lt ${CHILDREN} ]; do read x <&3 & i=$((i+1)); done; exec ${pauseBinary(design)}`;
        pause = await startPause(mode, ['sh', '-c', script], ['pipe']);
        await untilReady(pause, design);
        const { pid } = pause;
        await until(`pause has ${CHILDREN} children`, () => (childrenOf(pid).length === CHILDREN ? true : undefined));

        (pause.child.stdio[3] as Writable).end();
        await until('every child is reaped', () => (childrenOf(pid).length === 0 ? true : undefined));
        expect(childrenOf(pid)).toEqual([]);
        expect(procStatus(pid)?.State).toMatch(/^[SR]/);
      });
    }
  }
});
