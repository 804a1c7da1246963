// The differential tests have teeth: each catalogued bug, compiled into the
// native pause (build/native/mutants/pause-<design>-<MUTANT>), makes the
// kernel disagree with the real model on some random scenario, which
// fast-check shrinks. The model's own mutant flag predicts the buggy binary
// on that scenario, and the real binary agrees with the real model. The
// reference mode's bugs are hunted on pause alone, init mode's on
// pause -- app. EXIT_EARLY is the exception: the zombies it leaves are then
// reaped by the namespace's end or by the runner instead of pause, which no
// observation shows (checked below on the model); the model's property 10
// catches it, and on the kernel it takes a test of the binary itself.
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { loadModel, mutantMode, MUTANTS, type Mutant } from '../../src/engines/model/wasm.ts';
import { DESIGNS, type Design, type Scenario } from '../../src/scenario/types.ts';
import { compareEngines, firstDifference, kernelOutcome, modelOutcome } from '../support/differential.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

const FILE = 'test/kernel/mutants.test.ts';
const RUNS = 20_000;
const model = await loadModel();
const binary = (design: Design, mutant: Mutant) => `${NATIVE_DIR}mutants/pause-${design}-${mutant}`;
/** Bugs whose effect no observation can show, with why. */
const UNOBSERVABLE: Partial<Record<Mutant, string>> = {
  EXIT_EARLY: 'the zombies pause leaves are reaped by the namespace\'s end (PID 1) or by the runner (not PID 1), so every process is gone all the same',
};

describe.each<Design>(DESIGNS)('an observation on the %s design', (design) => {
  test.each(Object.keys(UNOBSERVABLE) as Mutant[])(`cannot show the native mutant %s, so the differential does not hunt it (seed ${SEED})`, async (mutant) => {
    const plans = fc.sample(planArbitrary({ maxOps: 10, init: 'always' }), { seed: SEED, numRuns: 300 });
    for (const plan of plans) {
      const scenario = playPlan(model, plan, { design }).scenario;
      expect(firstDifference(await modelOutcome(scenario, design), await modelOutcome(scenario, design, mutant)), UNOBSERVABLE[mutant]).toBeNull();
    }
  });
});

const PROGRAM = { name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true } as const;

/**
 * Bugs that random plans of ten steps almost never make visible, each with a
 * scenario made for it (measured on the model, 4,000 init plans each: 0 for
 * FORWARD_CHLD, about 1 in 3,000 for autoreap's REAP_ONCE). They are checked
 * on that scenario as a random counterexample is: the model's flag predicts
 * the buggy binary, which differs from the real model, and the real binary
 * agrees with the real model.
 *
 *   REAP_ONCE, autoreap   it reaps only in init mode, and the bug shows only
 *                         when two zombies reach pause on one SIGCHLD while
 *                         the program lives: a grandchild with two exited
 *                         children exits
 *   FORWARD_CHLD          the program must catch SIGCHLD, but only after its
 *                         own children's SIGCHLD, and then an orphan of
 *                         pause's exits: pause reaps it and forwards SIGCHLD
 */
const MADE_FOR: { design: Design; mutant: Mutant; scenario: Scenario }[] = [
  {
    design: 'autoreap', mutant: 'REAP_ONCE',
    scenario: {
      version: 1, pid1: true, init: { ...PROGRAM, expect: [] },
      steps: [
        { event: 'spawn', name: 'p', parent: 'app', reaps: false },
        { event: 'spawn', name: 'c1', parent: 'p', reaps: false },
        { event: 'spawn', name: 'c2', parent: 'p', reaps: false },
        { event: 'exit', name: 'c1', code: 0 },
        { event: 'exit', name: 'c2', code: 0 },
        { event: 'exit', name: 'p', code: 0 }, // c1 and c2, zombies, go to pause together
      ],
    },
  },
  ...DESIGNS.map((design) => ({
    design, mutant: 'FORWARD_CHLD' as const,
    scenario: {
      version: 1, pid1: true, init: { ...PROGRAM, expect: [] },
      steps: [
        { event: 'spawn', name: 'p', parent: 'app', reaps: true },
        { event: 'spawn', name: 'c', parent: 'p', reaps: true },
        { event: 'exit', name: 'p', code: 0 }, // c is pause's now; app reaps p
        { event: 'disposition', name: 'app', signal: 'SIGCHLD', action: 'catch' },
        { event: 'exit', name: 'c', code: 0 }, // pause reaps c: the bug forwards SIGCHLD to app
      ],
    } satisfies Scenario,
  })),
];
const madeFor = (design: Design, mutant: Mutant) => MADE_FOR.some((m) => m.design === design && m.mutant === mutant);

describe.skipIf(cannotRun('the kernel mutant tests', KERNEL))('the differential tests', () => {
  test.each(MADE_FOR.map((m) => [m.design, m.mutant, m.scenario] as const))('catch the %s design\'s native mutant %s on a scenario made for it (init mode)', async (design, mutant, scenario) => {
    const real = await modelOutcome(scenario, design);
    const predicted = await modelOutcome(scenario, design, mutant);
    expect(firstDifference(real, predicted), 'the model must predict the bug on this scenario').not.toBeNull();
    const kernel = await kernelOutcome(scenario, design, binary(design, mutant));
    expect(firstDifference(real, kernel, ['real model', `kernel ${mutant}`])).not.toBeNull();
    expect(firstDifference(predicted, kernel, [`model ${mutant}`, `kernel ${mutant}`])).toBeNull();
    expect((await compareEngines(scenario, design)).difference).toBeNull();
  });

  describe.each<Design>(DESIGNS)('on the %s design', (design) => {
    const hunted = MUTANTS.filter((m) => UNOBSERVABLE[m] === undefined && !madeFor(design, m));
    test.each(hunted)(`catch the native mutant %s with a shrunk counterexample (seed ${SEED})`, async (mutant) => {
      expect(existsSync(binary(design, mutant)), `${binary(design, mutant)} is missing: run npm run build`).toBe(true);
      let kernelRuns = 0;
      const found = await findCounterexample({
        name: `kernel-mutant-${design}-${mutant}`,
        testFile: FILE,
        arbitrary: planArbitrary({ maxOps: 10, init: mutantMode(mutant, design) === 'init' ? 'always' : 'never' }),
        numRuns: RUNS,
        failsWith: async (plan) => {
          const scenario = playPlan(model, plan, { design }).scenario;
          // Only scenarios where the bug can show go to the kernel (cheap
          // filter on the model); the kernel decides.
          const real = await modelOutcome(scenario, design);
          if (firstDifference(real, await modelOutcome(scenario, design, mutant)) === null) return null;
          kernelRuns++;
          const kernel = await kernelOutcome(scenario, design, binary(design, mutant), mutant === 'REAP_ECHILD' ? 1000 : undefined);
          const difference = firstDifference(real, kernel, ['real model', `kernel ${mutant}`]);
          return difference === null ? null : { scenario, why: difference };
        },
      });
      expect(found, `mutant ${mutant} survived ${RUNS} scenarios (${kernelRuns} on the kernel)`).not.toBeNull();
      const c = found!;
      console.log(`${design} ${mutant}: caught on the kernel\n${describeCounterexample(c)}`);
      // The model's flag predicts the buggy binary; the real binary is fine.
      const predicted = await modelOutcome(c.scenario, design, mutant);
      expect(firstDifference(predicted, await kernelOutcome(c.scenario, design, binary(design, mutant)), ['model ' + mutant, 'kernel ' + mutant])).toBeNull();
      expect((await compareEngines(c.scenario, design)).difference).toBeNull();
    });
  });
});
