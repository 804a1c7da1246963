// An interleaved plan picks each event after pause's steps before it, so the
// event fits the world those steps leave. In the plan below (found by the
// random WASI runtime test) the program, stopped, gets SIGUSR2 and dies of
// it when continued; pause, with the REAP_ONCE bug, reaps it in the two
// steps before the last event and, as PID 1 in init mode, exits with its
// status and takes the namespace down. That event, picked before those
// steps, was a signal from p1, gone by then, and the model refused it
// ("'p1' cannot signal 'app': the process is not running"). Picked after
// them, it has no sender left and is not played.
import { describe, expect, test } from 'vitest';
import { playPlan, type Op, type Plan } from '../../src/check/arbitraries.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';

const model = await loadModel();

/** An operation with the fields this plan does not use at their usual values. */
const op = (fields: Partial<Op> & Pick<Op, 'kind'>): Op => ({
  actor: 0, target: 0, toPause: false, fromOutside: false, signal: 'SIGCHLD', code: 0, reaps: false,
  handled: 'SIGUSR1', action: 'default', ...fields,
});

const PLAN: Plan = {
  pid1: true,
  init: { exec: 'ok', group: false, subreaper: false, expect: [], reaps: false },
  ops: [
    op({ kind: 'signal', toPause: true, fromOutside: true, signal: 'SIGCONT' }),
    op({ kind: 'signal', fromOutside: true, signal: 'SIGSTOP' }),
    op({ kind: 'signal', fromOutside: true, signal: 'SIGUSR2' }),
    op({ kind: 'spawn' }),
    op({ kind: 'spawn' }),
    op({ kind: 'spawn', reaps: true }),
    op({ kind: 'spawn', reaps: true }),
    op({ kind: 'spawn', fromOutside: true, reaps: true }),
    op({ kind: 'signal', signal: 'SIGCHLD' }),
  ],
  schedule: [0, 0, 0, 0, 0, 0, 2, 1, 2, 0, 0, 0],
};

describe.each<Design>(DESIGNS)('an interleaved plan on the %s design', (design) => {
  test('picks every event for the world pause\'s steps before it leave: no process acts once pause (REAP_ONCE) has taken the namespace down', () => {
    const run = playPlan(model, PLAN, { design, mutant: 'REAP_ONCE' });
    const end = run.observations.at(-1)!;
    // pause reaped its program (128 + SIGUSR2) and exited with it, ending the namespace.
    expect(end.pause).toEqual({ state: 'exited', code: 140 });
    expect(Object.values(end.processes).every((p) => p.state === 'gone')).toBe(true);
    // Each event played was taken by the model: an observation after the
    // start, after each event, and after the last settling.
    expect(run.observations).toHaveLength(run.scenario.steps.length + 2);
    expect(run.schedule).toHaveLength(run.scenario.steps.length);
    // The last operation, a signal from a process, found no sender left.
    expect(run.scenario.steps.filter((s) => s.event === 'signal' && s.from !== 'outside')).toEqual([]);
  });
});
