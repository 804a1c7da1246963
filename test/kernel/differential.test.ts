// The model predicts the kernel: the same random scenarios (settling after
// each event) and every example scenario give equal observations at every
// step, on the native pause of each design as PID 1 (and as a plain process),
// one random scenario in three in init mode (pause -- app, with random -g,
// -s, -e, exec outcomes and dispositions).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { compareEngines } from '../support/differential.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

/** Random scenarios per design; PAUSEKIT_DIFF_RUNS raises it for a deep run. */
const RUNS = Number(process.env['PAUSEKIT_DIFF_RUNS'] ?? 300);
// A deep run gets time in proportion (a scenario takes about 10-20 ms on both engines).
const TIME_LIMIT_MS = Math.max(50_000, RUNS * 60);
const FILE = 'test/kernel/differential.test.ts';
const EXAMPLES_DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();
const model = await loadModel();

describe.skipIf(cannotRun('the differential tests', KERNEL))('model and kernel agree', () => {
  describe.each<Design>(DESIGNS)('for the %s design', (design) => {
    test(`on ${RUNS} random scenarios, at every step (seed ${SEED})`, async () => {
      const found = await findCounterexample({
        name: `differential-${design}`,
        testFile: FILE,
        arbitrary: planArbitrary({ maxOps: 8 }),
        numRuns: RUNS,
        timeLimitMs: TIME_LIMIT_MS,
        failsWith: async (plan) => {
          const scenario = playPlan(model, plan, { design }).scenario;
          const result = await compareEngines(scenario, design);
          return result.difference === null ? null : { scenario, why: result.difference };
        },
      });
      expect(found === null ? null : describeCounterexample(found)).toBeNull();
    }, TIME_LIMIT_MS + 10_000);

    test.each(EXAMPLES)(`on the example scenario %s`, async (file) => {
      const scenario = loadScenario(`${EXAMPLES_DIR}${file}`);
      const result = await compareEngines(scenario, design);
      expect(result.difference).toBeNull();
    });
  });
});
