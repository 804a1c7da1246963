// A picture of a run on the model is drawn from the scenario played again,
// one atomic action at a time: that replay must make the very observations
// runModel makes (pause's steps one by one are its settle), for every
// example, every design and every catalogued bug.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadModel, mutantMode, MUTANTS } from '../../src/engines/model/wasm.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { DESIGNS } from '../../src/scenario/types.ts';
import { modelStory } from '../../src/view/replay.ts';

const DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();
const model = await loadModel();

describe.each(DESIGNS)('played again on the model, the %s design', (design) => {
  test.each(EXAMPLES)('%s gives runModel\'s observations, with and without each bug of its mode', async (file) => {
    const scenario = loadScenario(`${DIR}${file}`);
    const mode = scenario.init === undefined ? 'reference' : 'init';
    for (const mutant of [undefined, ...MUTANTS.filter((m) => mutantMode(m, design) === mode)]) {
      const run = await runModel(scenario, { design, mutant }).then((observations) => ({ observations }), (error: Error) => ({ error }));
      if ('error' in run) {
        // A bug that never lets pause block: the replay finds the same livelock at the same step.
        expect(() => modelStory(model, scenario, { design, mutant }), `${file}, mutant ${mutant ?? 'none'}`).toThrow(run.error.message.replace(/after \d+ steps, in state \w+/, ''));
        continue;
      }
      const replayed = modelStory(model, scenario, { design, mutant });
      expect(replayed.observations, `${file}, mutant ${mutant ?? 'none'}`).toEqual(run.observations);
      expect(replayed.story.frames).toHaveLength(scenario.steps.length + 1);
    }
  });
});
