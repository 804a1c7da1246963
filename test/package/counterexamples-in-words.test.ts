// Every arbitrary pausekit/arbitraries exports prints its counterexample in
// words, as scenarioArbitrary's do (`pause as PID 1: spawn p1 (parent
// outside, ...) · ...`), never as the JSON of a plan: fast-check's report is
// read by the user whose property failed. A plan prints as the scenario it
// played as once playPlan has played it.
//
// Each property fails on purpose; the seed is fixed, so the run is the same
// every time (PAUSEKIT_SEED replaces it).
import fc from 'fast-check';
import { beforeAll, expect, test } from 'vitest';
import { loadModel, type ModelModule } from '../../src/engines/model/wasm.ts';
import { opArbitrary, planArbitrary, planInitArbitrary, playPlan, scenarioArbitrary } from '../../src/check/arbitraries.ts';

const SEED = Number(process.env['PAUSEKIT_SEED'] ?? 20261207);

let model: ModelModule;
beforeAll(async () => {
  model = await loadModel();
});

/** The `Counterexample: [...]` line fast-check's report prints for a property that fails at once. */
function counterexample<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void = () => {}): string {
  try {
    fc.assert(fc.property(arbitrary, (value) => {
      predicate(value);
      return false;
    }), { seed: SEED, numRuns: 5 });
  } catch (error) {
    const line = String((error as Error).message).split('\n').find((l) => l.startsWith('Counterexample: '));
    if (line !== undefined) return line;
    throw error;
  }
  throw new Error(`the property did not fail (seed ${SEED}: PAUSEKIT_SEED=${SEED} npx vitest run test/package/counterexamples-in-words.test.ts)`);
}

const NOT_JSON = /[{}]|"\w+":|\bops\b|\bpid1\b/;

test('scenarioArbitrary: the steps in words', () => {
  const line = counterexample(scenarioArbitrary(model));
  expect(line).toMatch(/^Counterexample: \[pause as (PID 1|a plain process)( running "app" \(init mode\))?: /);
  expect(line).not.toMatch(NOT_JSON);
});

test.each([
  ['planArbitrary()', () => planArbitrary()],
  ['planArbitrary({ interleave: true })', () => planArbitrary({ interleave: true })],
  ["planArbitrary({ init: 'always' })", () => planArbitrary({ init: 'always' })],
])('%s, played: the scenario it played as, in the same words', (_name, arbitrary) => {
  const line = counterexample(arbitrary(), (plan) => playPlan(model, plan, { design: 'sigwait' }));
  expect(line).toMatch(/^Counterexample: \[pause as (PID 1|a plain process)( running "app" \(init mode\))?: /);
  expect(line).not.toMatch(NOT_JSON);
});

test('planArbitrary({ interleave: true }), played: pause\'s steps before each event too', () => {
  const line = counterexample(planArbitrary({ interleave: true }), (plan) => playPlan(model, plan, { design: 'handlers' }));
  expect(line).toMatch(/ \(pause's steps before each event: \d+(, \d+)*\)\]$/);
});

test('planArbitrary, not played: its operations in words', () => {
  const line = counterexample(planArbitrary({ init: 'always' }));
  expect(line).toMatch(/^Counterexample: \[plan, not yet played: pause as (PID 1|a plain process), running pause (-[gs] |-e \d+ )*-- app \(app (reaps its children|never reaps)(, exec [\w-]+)?\): /);
  expect(line).not.toMatch(NOT_JSON);
});

test('opArbitrary and planInitArbitrary: one operation, init options, in words', () => {
  const op = counterexample(opArbitrary);
  expect(op).toMatch(/^Counterexample: \[(spawn \(parent|the \w+ running process|outside) /);
  expect(op).not.toMatch(NOT_JSON);
  const init = counterexample(planInitArbitrary);
  expect(init).toMatch(/^Counterexample: \[pause (-[gs] |-e \d+ )*-- app \(app /);
  expect(init).not.toMatch(NOT_JSON);
});
