// As PID 1, pause adopts orphans: 1,000 of them, orphaned at once and then
// dying at once, are all reaped; no zombie is left in the namespace.
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, childrenOf, until, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the 1,000 orphans test', KERNEL);
const ORPHANS = 1000;

describe.skipIf(skip)('pause as PID 1', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    it(`adopts and reaps all of ${ORPHANS} orphans, leaving no zombie (${design} design)`, async () => {
      // A subshell waits for "go" on fd 4, forks the workers (they wait on
      // fd 3) and exits: the workers are orphans, adopted by PID 1 = pause.
      const script = `(read go <&4; i=0; while [ $i -lt ${ORPHANS} ]; do read x <&3 & i=$((i+1)); done) & exec ${pauseBinary(design)}`;
      pause = await startPause('PID 1', ['sh', '-c', script], ['pipe', 'pipe']);
      await untilReady(pause, design);
      const { pid } = pause;
      (pause.child.stdio[4] as Writable).write('go\n');
      await until(`pause has adopted ${ORPHANS} orphans`, () => (childrenOf(pid).length === ORPHANS ? true : undefined), 30_000);

      (pause.child.stdio[3] as Writable).end();
      await until('every orphan is reaped', () => (childrenOf(pid).length === 0 ? true : undefined), 30_000);
      expect(childrenOf(pid)).toEqual([]);
    });
  }
});
