// The property tests have teeth: each catalogued bug, switched on in the
// model, breaks an invariant, and fast-check shrinks it to a small scenario.
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { checkScenario, formatViolations } from '../../src/check/invariants.ts';
import { loadModel, mutantMode, type Mutant } from '../../src/engines/model/wasm.ts';
import { parseScenario, scenarioToJson } from '../../src/scenario/load.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

const FILE = 'test/model/mutants.test.ts';
const model = await loadModel();
const RUNS = 20_000;

// The invariant each bug must break (the others may break too).
const EXPECTED: Record<Mutant, number[]> = {
  REAP_ONCE: [1, 10], // 10: in init mode (autoreap), a zombie left when pause exits with the program
  NO_CHLD: [1],
  NO_TERM: [4],
  WRONG_CODE: [4],
  REAP_ECHILD: [6],
  FORWARD_NOTHING: [8],
  EXIT_ZERO: [9],
  SIGNAL_AS_CODE: [9],
  FORWARD_CHLD: [8],
  EXIT_EARLY: [10],
};

describe.each<Design>(DESIGNS)('the %s design of the model', (design) => {
  test.each(Object.keys(EXPECTED) as Mutant[])(`with mutant %s breaks its invariant on a shrunk scenario that the real model keeps (seed ${SEED})`, async (mutant) => {
    const found = await findCounterexample({
      name: `model-mutant-${design}-${mutant}`,
      testFile: FILE,
      // Each bug on the mode it lives in: the reference's on pause alone, init mode's on pause -- app.
      arbitrary: planArbitrary({ init: mutantMode(mutant, design) === 'init' ? 'always' : 'never' }),
      numRuns: RUNS,
      failsWith: (plan) => {
        const run = playPlan(model, plan, { design, mutant });
        if (run.violations.length === 0) return null;
        return { scenario: run.scenario, why: formatViolations(run.violations) };
      },
    });
    expect(found, `mutant ${mutant} survived ${RUNS} random scenarios (seed ${SEED})`).not.toBeNull();
    const c = found!;
    console.log(`${design} ${mutant}: caught\n${describeCounterexample(c)}`);
    // The saved counterexample is a valid scenario file.
    expect(parseScenario(scenarioToJson(c.scenario), c.file).steps).toEqual(c.scenario.steps);
    // Played again, the mutant breaks one of the invariants it must break; the real model keeps them all.
    const broken = checkScenario(model, c.scenario, { design, mutant });
    expect(broken.filter((v) => EXPECTED[mutant].includes(v.invariant)), formatViolations(broken)).not.toEqual([]);
    expect(formatViolations(checkScenario(model, c.scenario, { design }))).toBe('');
  });
});
