// Every example scenario in src/scenario/examples/ runs on the kernel and matches the
// observations stored beside it: X.expected.json, or X.expected.<design>.json
// where the two signal designs legitimately differ.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runKernel } from '../../src/engines/kernel/engine.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import type { Observation } from '../../src/scenario/types.ts';
import { DESIGNS } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the example scenarios on the kernel', KERNEL);
const DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();

function expected(example: string, design: string): { file: string; observations: Observation[] } {
  const base = example.replace(/\.json$/, '');
  const perDesign = `${DIR}${base}.expected.${design}.json`;
  const file = existsSync(perDesign) ? perDesign : `${DIR}${base}.expected.json`;
  return { file, observations: JSON.parse(readFileSync(file, 'utf8')) as Observation[] };
}

describe('the example scenarios', () => {
  it('include the seed story and one scenario per behaviour, each with stored expectations', () => {
    expect(EXAMPLES).toContain('seed-story.json');
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
    for (const example of EXAMPLES) {
      for (const design of DESIGNS) expect(() => expected(example, design)).not.toThrow();
    }
  });
});

describe.skipIf(skip)('the kernel engine', () => {
  for (const example of EXAMPLES) {
    for (const design of DESIGNS) {
      it(`reproduces the expected observations of ${example} (${design} design)`, async () => {
        const scenario = loadScenario(`${DIR}${example}`);
        const { observations } = expected(example, design);
        expect(await runKernel(scenario, { design })).toEqual(observations);
      });
    }
  }
});
