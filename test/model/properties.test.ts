// The properties of the model (src/check/invariants.ts: 1-7, and 8-10 in
// init mode), over random process trees, random events, random dispositions
// and random interleavings of events with pause's own steps.
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { formatViolations } from '../../src/check/invariants.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

const RUNS = Number(process.env['PAUSEKIT_PROPERTY_RUNS'] ?? 1000);
const FILE = 'test/model/properties.test.ts';
const model = await loadModel();

describe.each<Design>(DESIGNS)('the %s design of the model', (design) => {
  test.each([
    ['after settling each event', false],
    ['with events between any two of its steps', true],
  ])(`keeps properties 1-6 (and 8-10 in init mode) ${'%s'} (seed ${SEED})`, async (_label, interleave) => {
    const found = await findCounterexample({
      name: `properties-${design}${interleave ? '-interleaved' : ''}`,
      testFile: FILE,
      arbitrary: planArbitrary({ interleave }),
      numRuns: RUNS,
      failsWith: (plan) => {
        const run = playPlan(model, plan, { design });
        if (run.violations.length === 0) return null;
        const schedule = run.schedule ? `\npause steps before each event: ${JSON.stringify(run.schedule)}` : '';
        return { scenario: run.scenario, why: formatViolations(run.violations) + schedule };
      },
    });
    expect(found === null ? null : describeCounterexample(found)).toBeNull();
  });

  test(`gives the same trace for the same seed, byte for byte (property 7, seed ${SEED})`, async () => {
    const { default: fc } = await import('fast-check');
    const trace = (seed: number) => {
      const plans = fc.sample(planArbitrary({ interleave: true }), { seed, numRuns: 20 });
      return JSON.stringify(plans.map((plan) => playPlan(model, plan, { design })));
    };
    const first = trace(SEED);
    expect(trace(SEED)).toBe(first);
    expect(first.length).toBeGreaterThan(100);
  });
});
