// A subreaper that dies while it adopts: pause forwards SIGABRT (it dumps
// core, so nobody dies at once) to its program's group; a member with two
// zombie children dies first, and its reaper, the program (a subreaper),
// wakes on the first zombie's SIGCHLD and dies of its own SIGABRT before the
// second zombie has moved. The kernel moves every child at once, and only
// to a reaper that is not exiting (kernel/exit.c forget_original_parent,
// find_new_reaper); the model once moved the second zombie onto the dead
// program, where it stayed for good. The fixtures (test/model/fixtures/)
// hold the deep run's shrunk plan and a smaller one, with the observations
// the kernel gave for them, the same in every design.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { applyStep, runModel } from '../../src/engines/model/engine.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { DESIGNS, type Design, type Observation } from '../../src/scenario/types.ts';

const DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
const FIXTURES = ['subreaper-dies-adopting-zombies', 'deep-run-31462-zombie-of-dead-subreaper'];

// The observations the kernel gave for a fixture (pausekit run FILE --engine kernel --json).
function kernelObservations(name: string): Observation[] {
  return JSON.parse(readFileSync(`${DIR}${name}.expected.json`, 'utf8')) as Observation[];
}

describe.each<Design>(DESIGNS)('the %s design', (design) => {
  test.each(FIXTURES)('gives the kernel\'s observations for %s', async (name) => {
    const observations = await runModel(loadScenario(`${DIR}${name}.json`), { design });
    expect(observations).toEqual(kernelObservations(name));
  });

  test.each(FIXTURES)('keeps every table invariant in the debug build for %s, and pause reaps both zombies', async (name) => {
    const scenario = loadScenario(`${DIR}${name}.json`);
    const model = await loadModel({ build: 'debug' });
    const world = model.create({ design, pid1: scenario.pid1, init: scenario.init, inherit: scenario.inherit });
    try {
      world.settle(-1);
      scenario.steps.forEach((step, index) => {
        applyStep(world, step, index);
        world.settle(index);
      });
      // Both zombies end with pause, the namespace's init, which reaps them once.
      for (const zombie of ['p5', 'p6']) {
        expect(world.fate(zombie)).toMatchObject({ reapCount: 1, reapedBy: 'pause' });
      }
    } finally {
      world.dispose();
    }
  });
});
