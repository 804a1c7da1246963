// pause as a namespace's PID 1 is protected: signals it has no handler for
// are dropped when sent from inside (even SIGKILL); from outside SIGKILL
// gets through; and when pause goes, every process left in it is killed.
import { describe, expect, it } from 'vitest';
import { runKernel } from '../../src/engines/kernel/engine.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { Observation } from '../../src/scenario/types.ts';
import { DESIGNS } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the namespace init protection tests', KERNEL);

function scenario(steps: unknown[]) {
  return parseScenario(JSON.stringify({ version: 1, steps }), 'test scenario');
}

const last = (observations: Observation[]) => observations[observations.length - 1];

describe.skipIf(skip)('pause as PID 1 on the kernel', () => {
  for (const design of DESIGNS) {
    for (const signal of ['SIGKILL', 'SIGHUP', 'SIGUSR1'] as const) {
      it(`is protected from ${signal} sent from inside the namespace: the kernel drops it (${design} design)`, async () => {
        const observations = await runKernel(scenario([
          { event: 'spawn', name: 'insider' },
          { event: 'signal', target: 'pause', signal, from: 'insider' },
          // still the namespace's reaper afterwards:
          { event: 'spawn', name: 'orphan', parent: 'insider' },
          { event: 'exit', name: 'insider', code: 0 },
        ]), { design });
        expect(observations[2].pause).toEqual({ state: 'running' });
        expect(observations[2].stderr).toEqual([]);
        expect(last(observations).processes.orphan).toEqual({ state: 'running', parent: 'pause' });
      });
    }

    it(`is killed by SIGKILL from outside the namespace, which kills every process left in it (${design} design)`, async () => {
      const observations = await runKernel(scenario([
        { event: 'spawn', name: 'app' },
        { event: 'spawn', name: 'child', parent: 'app', reaps: false },
        { event: 'spawn', name: 'grandchild', parent: 'child' },
        { event: 'signal', target: 'child', signal: 'SIGSTOP' },
        { event: 'signal', target: 'pause', signal: 'SIGKILL' },
      ]), { design });
      expect(observations[4].processes.child.state).toBe('stopped');
      expect(last(observations).pause).toEqual({ state: 'killed', signal: 'SIGKILL' });
      for (const name of ['app', 'child', 'grandchild']) {
        expect(last(observations).processes[name]).toEqual({ state: 'gone', parent: null });
      }
    });

    it(`takes every process left in the namespace along when it exits on SIGTERM (${design} design)`, async () => {
      const observations = await runKernel(scenario([
        { event: 'spawn', name: 'app', reaps: false },
        { event: 'spawn', name: 'child', parent: 'app' },
        { event: 'spawn', name: 'dead', parent: 'app' },
        { event: 'exit', name: 'dead', code: 0 },
        { event: 'signal', target: 'pause', signal: 'SIGTERM' },
      ]), { design });
      expect(observations[4].processes.dead.state).toBe('zombie');
      expect(last(observations).pause).toEqual({ state: 'exited', code: 0 });
      expect(last(observations).stderr).toEqual(['Shutting down, got signal: Terminated']);
      for (const name of ['app', 'child', 'dead']) {
        expect(last(observations).processes[name]).toEqual({ state: 'gone', parent: null });
      }
    });
  }
});
