// pausekit explore enumerates every interleaving of pause's steps with a
// scenario's events: it finds outcomes that settling after each event never
// shows, the shortest trace to a broken invariant, and says when a scenario
// is too big.
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/check/explore.ts';
import { PausekitError } from '../../src/errors.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { SEED_STORY } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';

const INT_THEN_TERM: Scenario = {
  version: 1,
  pid1: true,
  steps: [
    { event: 'signal', target: 'pause', signal: 'SIGINT', from: 'outside' },
    { event: 'signal', target: 'pause', signal: 'SIGTERM', from: 'outside' },
  ],
};

// Two zombies reach pause with a single (coalesced) SIGCHLD.
const COALESCED: Scenario = {
  version: 1,
  pid1: true,
  steps: [
    { event: 'spawn', name: 'app', parent: 'outside', reaps: false },
    { event: 'spawn', name: 'a', parent: 'app', reaps: true },
    { event: 'spawn', name: 'b', parent: 'app', reaps: true },
    { event: 'exit', name: 'a', code: 0 },
    { event: 'exit', name: 'b', code: 0 },
    { event: 'exit', name: 'app', code: 0 },
  ],
};

const stderrOf = (outcomes: { final: { stderr: string[] } }[]) => outcomes.map((o) => o.final.stderr.join(' + ')).sort();

describe('pausekit explore', () => {
  test('finds the three outcomes of SIGINT then SIGTERM in the handler design, where a settled run shows one', async () => {
    const result = await explore(INT_THEN_TERM, { design: 'handlers' });
    expect(stderrOf(result.outcomes)).toEqual([
      'Shutting down, got signal: Interrupt',
      'Shutting down, got signal: Interrupt + Shutting down, got signal: Terminated',
      'Shutting down, got signal: Terminated',
    ]);
    expect(result.interleavings).toBe(4);
    expect(result.violation).toBeNull();
    const settled = await runModel(INT_THEN_TERM, { design: 'handlers' });
    expect(settled.flatMap((o) => o.stderr)).toEqual(['Shutting down, got signal: Interrupt']);
  });

  test('finds one outcome for the sigwait design, which takes one signal at a time', async () => {
    const result = await explore(INT_THEN_TERM, { design: 'sigwait' });
    expect(stderrOf(result.outcomes)).toEqual(['Shutting down, got signal: Interrupt']);
  });

  test('gives the shortest trace to the zombie a one-waitpid handler leaves behind', async () => {
    const real = await explore(COALESCED, { design: 'handlers' });
    expect(real.violation).toBeNull();
    const result = await explore(COALESCED, { design: 'handlers', mutant: 'REAP_ONCE' });
    expect(result.violation?.violation.invariant).toBe(1);
    const trace = result.violation!.trace;
    expect(trace.slice(0, 6)).toEqual(COALESCED.steps.map((_, i) => expect.stringMatching(new RegExp(`^event ${i}: `))));
    // deliver SIGCHLD, one waitpid, return from the handler, pause() returns
    expect(trace.slice(6)).toHaveLength(4);
  });

  test('reports the livelock of a reap loop that runs until ECHILD', async () => {
    const scenario: Scenario = { ...COALESCED, steps: [
      { event: 'spawn', name: 'app', parent: 'outside', reaps: false },
      { event: 'spawn', name: 'a', parent: 'app', reaps: true },
      { event: 'spawn', name: 'b', parent: 'app', reaps: true },
      { event: 'exit', name: 'a', code: 0 },
      { event: 'exit', name: 'app', code: 0 },
    ] };
    const result = await explore(scenario, { design: 'sigwait', mutant: 'REAP_ECHILD' });
    expect(result.violation?.violation.invariant).toBe(6);
  });

  test('stops with a clear message beyond its state limit', async () => {
    const error = await explore(SEED_STORY, { design: 'handlers', maxStates: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).message).toMatch(/more than 10 distinct states.*too big to explore exhaustively/);
  });
});
