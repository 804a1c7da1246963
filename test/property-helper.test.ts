// The property runner of the tests (test/support/property.ts) never turns a
// failure into a pass: a property that failed once fails the test, with the
// seed and the replay command, even when the case passes when run again.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Scenario } from '../src/scenario/types.ts';
import { findCounterexample, SEED } from './support/property.ts';

const SCENARIO: Scenario = { version: 1, pid1: true, steps: [] };

describe('findCounterexample', () => {
  test('fails with the seed, the replay command and the error when a case threw, even if the shrunk case passes when run again', async () => {
    let calls = 0;
    const run = findCounterexample({
      name: 'helper-throws-once',
      testFile: 'test/property-helper.test.ts',
      arbitrary: fc.nat(),
      numRuns: 10,
      failsWith: () => {
        calls++;
        if (calls === 1) throw new Error('a planted error, thrown once');
        return null;
      },
    });
    await expect(run).rejects.toThrow(`seed ${SEED}; replay: PAUSEKIT_SEED=${SEED} npx vitest run test/property-helper.test.ts`);
    await expect(run).rejects.toThrow('a planted error, thrown once');
  });

  test('returns the failing case when the shrunk one passes when run again, and says so', async () => {
    let calls = 0;
    const found = await findCounterexample({
      name: 'helper-fails-once',
      testFile: 'test/property-helper.test.ts',
      arbitrary: fc.nat(),
      numRuns: 10,
      failsWith: () => (++calls === 1 ? { scenario: SCENARIO, why: 'a planted failure, once' } : null),
    });
    expect(found).not.toBeNull();
    expect(found!.why).toBe('a planted failure, once\n(the shrunk case passed when run again: this is the last failing case tried)');
    expect(found!.replay).toBe(`PAUSEKIT_SEED=${SEED} npx vitest run test/property-helper.test.ts`);
  });

  test('returns null only when every case passed', async () => {
    const found = await findCounterexample({
      name: 'helper-passes', testFile: 'test/property-helper.test.ts', arbitrary: fc.nat(), numRuns: 10, failsWith: () => null,
    });
    expect(found).toBeNull();
  });
});
