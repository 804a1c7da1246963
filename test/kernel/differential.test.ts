// The model predicts the kernel: the same random scenarios (settling after
// each event) and every example scenario give equal observations at every
// step, on the native pause of each design as PID 1 (and as a plain process),
// one random scenario in three in init mode (pause -- app, with random -g,
// -s, -e, exec outcomes and dispositions). The random ones are played as the
// deep run plays them (test/support/campaign.ts: several kernel sessions at
// once); a disagreement is shrunk, saved, and printed with its replay.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { loadScenario, scenarioToJson } from '../../src/scenario/load.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { DIFFERENTIAL_PLANS, runCampaign, shrinkRun } from '../support/campaign.ts';
import { compareEngines } from '../support/differential.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { replayCommand, saveCounterexample, SEED } from '../support/property.ts';

/** Random scenarios per design; PAUSEKIT_DIFF_RUNS changes it (npm run test:deep plays 100,000). */
const RUNS = Number(process.env['PAUSEKIT_DIFF_RUNS'] ?? 1000);
/** A guard against a hung kernel, far above the time the runs take (a few ms each). */
const GUARD_MS = 60_000 + RUNS * 100;
const FILE = 'test/kernel/differential.test.ts';
const EXAMPLES_DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();
const model = await loadModel();

describe.skipIf(cannotRun('the differential tests', KERNEL))('model and kernel agree', () => {
  describe.each<Design>(DESIGNS)('for the %s design', (design) => {
    test(`on ${RUNS} random scenarios, at every step (seed ${SEED})`, async () => {
      const report = await runCampaign({ model, seed: SEED, runs: RUNS, designs: [design], arbitrary: DIFFERENTIAL_PLANS });
      const verdicts = report.verdicts[design]!;
      expect(verdicts.map((v) => v.index)).toEqual([...Array(RUNS).keys()]);
      const first = verdicts.find((v) => !v.agree);
      if (first === undefined) return;
      const shrunk = await shrinkRun({ model, seed: SEED, index: first.index, design, arbitrary: DIFFERENTIAL_PLANS });
      const scenario = shrunk?.scenario;
      const why = shrunk?.why ?? `${first.why}\n(agrees when played alone: the kernel disagrees with itself)`;
      const file = scenario === undefined ? '(not saved)' : saveCounterexample(`differential-${design}`, scenario, why);
      expect.fail([
        `run ${first.index} of seed ${SEED} disagrees (${verdicts.filter((v) => !v.agree).length} of ${RUNS}); shrunk ${shrunk?.shrinks ?? 0} times; saved to ${file}`,
        `replay: ${replayCommand(FILE)}; that run alone: npm run test:deep -- --replay ${design}:${first.index} --seed ${SEED}`,
        why, scenario === undefined ? '' : scenarioToJson(scenario),
      ].join('\n'));
    }, GUARD_MS);

    test.each(EXAMPLES)(`on the example scenario %s`, async (file) => {
      const scenario = loadScenario(`${EXAMPLES_DIR}${file}`);
      const result = await compareEngines(scenario, design);
      expect(result.difference).toBeNull();
    });
  });
});
