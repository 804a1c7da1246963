// The shape of the differential's random plans, before and after the deep
// plans: how long the scenarios they play as are, and how they end, played
// on the model alone (no kernel: the shape is the model's to say).
//
//   npx tsx test/support/plan-shape.ts [--seed S] [--runs N] [--design D]
//
// "short" is the differential's plan before (planArbitrary, at most 8
// operations); "deep" is today's (deepPlanArbitrary, up to 32).
import { parseArgs } from 'node:util';
import { deepPlanArbitrary, planArbitrary, playPlan, type Plan } from '../../src/check/arbitraries.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import type fc from 'fast-check';
import { endingOf, plansOf, type Verdict } from './campaign.ts';
import { endings, lengths } from './deep-report.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '20261207' }, runs: { type: 'string', default: '2000' }, design: { type: 'string', default: 'sigwait' } } });
const [seed, runs, design] = [Number(values.seed), Number(values.runs), values.design as Design];
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1 || !DESIGNS.includes(design)) {
  console.error('plan-shape: --seed and --runs take whole numbers (runs >= 1), --design one of ' + DESIGNS.join(', '));
  process.exit(2);
}
const model = await loadModel();
const kinds: [string, fc.Arbitrary<Plan>][] = [['short', planArbitrary({ maxOps: 8 })], ['deep', deepPlanArbitrary()]];
console.log(`plan shape: seed ${seed}, ${runs} plans each, ${design} design, on the model`);
for (const [name, arbitrary] of kinds) {
  const verdicts: Verdict[] = plansOf(arbitrary, seed, 0, runs).map((plan, index) => {
    const played = playPlan(model, plan, { design, check: false });
    const steps = played.scenario.steps.length;
    return { index, digest: '', steps, ...endingOf(played.observations), agree: true };
  });
  const mean = verdicts.reduce((sum, v) => sum + v.steps, 0) / runs;
  console.log(`${name}: ${mean.toFixed(1)} steps on average`);
  console.log(`  lengths: ${lengths(verdicts)}`);
  console.log(`  endings: ${endings(verdicts)}`);
}
