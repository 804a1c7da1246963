// The model runs under any WASI implementation: Node's built-in node:wasi
// and @wasmer/wasi give the same observations, byte for byte (pause's
// stderr included), on every example scenario and on random ones, in both
// designs and with every catalogued bug.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadModel, MUTANTS, WASI_RUNTIMES, type Mutant } from '../../src/engines/model/wasm.ts';
import { loadScenario, scenarioToJson } from '../../src/scenario/load.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { replayCommand, SEED } from '../support/property.ts';

const DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();
const RANDOM_RUNS = 300;

const node = await loadModel({ wasi: 'node' });
const wasmer = await loadModel({ wasi: 'wasmer' });

test('each runtime is the one asked for', () => {
  expect([node.wasi, wasmer.wasi]).toEqual([...WASI_RUNTIMES]);
});

describe.each<Design>(DESIGNS)('the %s design', (design) => {
  test.each(EXAMPLES)('observes %s alike under node:wasi and @wasmer/wasi', async (file) => {
    const scenario = loadScenario(`${DIR}${file}`);
    const observations = await runModel(scenario, { design, wasi: 'node' });
    expect(await runModel(scenario, { design, wasi: 'wasmer' })).toEqual(observations);
    expect(observations.length).toBe(scenario.steps.length + 1);
  });

  test(`plays ${RANDOM_RUNS} random plans alike under both, bugs and interleavings included (seed ${SEED}; replay: ${replayCommand('test/model/wasi-runtimes.test.ts')})`, () => {
    const arbitrary = fc.record({
      plan: fc.oneof(planArbitrary(), planArbitrary({ interleave: true })),
      mutant: fc.option(fc.constantFrom<Mutant>(...MUTANTS), { nil: undefined }),
    });
    let messages = 0;
    fc.assert(fc.property(arbitrary, ({ plan, mutant }) => {
      const expected = playPlan(node, plan, { design, mutant });
      const actual = playPlan(wasmer, plan, { design, mutant });
      messages += expected.observations.reduce((n, o) => n + o.stderr.length, 0);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(`node:wasi and @wasmer/wasi differ on\n${scenarioToJson(expected.scenario)}\n` +
          `node:   ${JSON.stringify(expected.observations)}\nwasmer: ${JSON.stringify(actual.observations)}`);
      }
    }), { seed: SEED, numRuns: RANDOM_RUNS });
    // pause spoke in those runs: its stderr went through both runtimes' fd 2.
    expect(messages).toBeGreaterThan(0);
  });
});
