// A page of a 100-step scenario stays small enough to open, mail or attach:
// at most 200 KB, for long seeded stories that grow from a few processes
// to 30 and more alive at once: the run on the model, the same run from its
// observations alone (as the kernel's would be drawn), and the diff page of
// a catalogued bug against the model (two timelines, one table per step).
import { describe, expect, test } from 'vitest';
import { compare } from '../../src/check/diff.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { diffPage, runPage } from '../../src/view/pages.ts';
import { SEED } from '../support/property.ts';
import { longStory } from './long-story.ts';

const LIMIT_BYTES = 200_000;
const STEPS = 100;
const FILE = 'test/view/page-size.test.ts';
const model = await loadModel();

/** How many processes are alive at once, at the most. */
function mostAlive(observations: Awaited<ReturnType<typeof runModel>>): number {
  return Math.max(...observations.map((o) => Object.values(o.processes).filter((p) => p.state !== 'gone').length));
}

describe(`a page of ${STEPS} steps is at most ${LIMIT_BYTES / 1000} KB`, () => {
  // spawnWeight 0.2: about 5 processes alive at once; 0.5: about 30.
  test.each([
    [1, 0.2, false], [2, 0.35, false], [3, 0.5, false], [4, 0.5, true], [SEED, 0.5, false], [SEED, 0.35, true],
  ])(`for the run, seed %i, spawn weight %f, init mode %s (replay: PAUSEKIT_SEED=${SEED} npx vitest run ${FILE})`, async (seed, weight, init) => {
    const scenario = longStory(model, seed, STEPS, weight, init);
    expect(scenario.steps).toHaveLength(STEPS);
    const observations = await runModel(scenario, { design: 'sigwait' });
    for (const engine of ['model', 'kernel'] as const) {
      const html = await runPage(scenario, observations, { engine, design: 'sigwait', name: `seed ${seed}` });
      expect(Buffer.byteLength(html), `${engine} page, ${mostAlive(observations)} processes alive at most`).toBeLessThanOrEqual(LIMIT_BYTES);
    }
  });

  test.each([
    [2, 0.2, 'REAP_ONCE'], [1, 0.35, 'REAP_ONCE'], [3, 0.35, 'NO_CHLD'],
  ] as const)('for the diff of a bug against the model, seed %i, spawn weight %f, mutant %s', async (seed, weight, mutant) => {
    const scenario = longStory(model, seed, STEPS, weight);
    const real = { observations: await runModel(scenario, { design: 'sigwait' }) };
    const buggy = { observations: await runModel(scenario, { design: 'sigwait', mutant }) };
    const lines = compare(scenario, real, buggy);
    expect(lines.length, 'the bug must show, or the page is only the agreeing one').toBeGreaterThan(0);
    const html = await diffPage(scenario, [{ design: 'sigwait', model: real, kernel: buggy, lines }], { name: `seed ${seed}` });
    expect(Buffer.byteLength(html), `${mostAlive(real.observations)} processes alive at most`).toBeLessThanOrEqual(LIMIT_BYTES);
  });
});
