// The kernel's side of test/model/reparenting-dying-subreaper.test.ts: the
// observations stored beside its fixtures are what the kernel gives now, in
// every design, so the model's test holds it to the truth and not to an old
// recording.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runKernel } from '../../src/engines/kernel/engine.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { DESIGNS, type Observation } from '../../src/scenario/types.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the dying-subreaper fixtures on the kernel', KERNEL);
const DIR = fileURLToPath(new URL('../model/fixtures/', import.meta.url));
const FIXTURES = ['subreaper-dies-adopting-zombies', 'deep-run-31462-zombie-of-dead-subreaper'];

describe.skipIf(skip)('a subreaper that dies in a group kill while adopting zombies, on the kernel', () => {
  for (const name of FIXTURES) {
    for (const design of DESIGNS) {
      it(`gives the stored observations of ${name} (${design} design)`, async () => {
        const stored = JSON.parse(readFileSync(`${DIR}${name}.expected.json`, 'utf8')) as Observation[];
        expect(await runKernel(loadScenario(`${DIR}${name}.json`), { design })).toEqual(stored);
      });
    }
  }
});
