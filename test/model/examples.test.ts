// The model reproduces every example scenario's kernel-checked expected
// observations (src/scenario/examples/<name>.expected[.<design>].json), no kernel needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { DESIGNS, type Design, type Observation } from '../../src/scenario/types.ts';

const DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();

function expected(file: string, design: Design): Observation[] | null {
  const base = `${DIR}${file.replace(/\.json$/, '')}`;
  for (const candidate of [`${base}.expected.${design}.json`, `${base}.expected.json`]) {
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')) as Observation[];
  }
  return null;
}

describe.each<Design>(DESIGNS)('the model of the %s design', (design) => {
  test('has example scenarios to check', () => {
    expect(EXAMPLES.filter((f) => expected(f, design) !== null).length).toBeGreaterThanOrEqual(5);
  });

  test.each(EXAMPLES.filter((f) => expected(f, design) !== null))('reproduces the expected observations of %s', async (file) => {
    const observations = await runModel(loadScenario(`${DIR}${file}`), { design });
    expect(observations).toEqual(expected(file, design));
  });
});
