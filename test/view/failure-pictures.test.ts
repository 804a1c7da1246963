// When a property fails through pausekit/vitest's matchers (in a fast-check
// run, as docs/library.md shows), the message names an HTML page of the
// shrunk counterexample, in $PAUSEKIT_HTML_DIR: the run the matcher got,
// drawn with its scenario's steps and the failing step flagged. The suite's
// own property runner (test/support/property.ts) draws its counterexamples
// too.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { planArbitrary, playPlan, scenarioArbitrary } from '../../src/check/arbitraries.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { describeStep } from '../../src/scenario/report.ts';
import { HTML_DIR_VARIABLE } from '../../src/view/counterexample.ts';
import '../../src/vitest.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

const FILE = 'test/view/failure-pictures.test.ts';
const model = await loadModel();
let dir: string;
let before: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pausekit-pictures-'));
  before = process.env[HTML_DIR_VARIABLE];
  process.env[HTML_DIR_VARIABLE] = dir;
});
afterEach(() => {
  if (before === undefined) delete process.env[HTML_DIR_VARIABLE];
  else process.env[HTML_DIR_VARIABLE] = before;
  rmSync(dir, { recursive: true, force: true });
});

/** The error a check throws (the test fails if it does not). */
async function failure(check: () => unknown): Promise<Error> {
  try {
    await check();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the check passed; it had to fail');
}

/** The page a failure message names. */
function picture(message: string): { file: string; html: string } {
  const named = /the run, drawn: (.+\.html)$/m.exec(message);
  expect(named, message).not.toBeNull();
  const file = named![1]!;
  expect(file.startsWith(`${dir}/`), `${file} in ${dir}`).toBe(true);
  expect(existsSync(file)).toBe(true);
  return { file, html: readFileSync(file, 'utf8') };
}

describe(`a failing matcher names a page of the run (seed ${SEED}, replay: PAUSEKIT_SEED=${SEED} npx vitest run ${FILE})`, () => {
  test('in a fast-check property, the shrunk counterexample: its steps, on the model, the failing step flagged', async () => {
    const error = await failure(() => fc.assert(
      fc.asyncProperty(scenarioArbitrary(model), async (scenario) => {
        expect(await runModel(scenario, { design: 'sigwait', mutant: 'REAP_ONCE' })).toHaveReapedEverything();
      }),
      { seed: SEED, numRuns: 300 },
    ));
    // fast-check's error says the counterexample; its cause is the matcher's failure, which vitest prints under it.
    const cause = error.cause as Error | undefined;
    expect(cause, error.message).toBeInstanceOf(Error);
    const { file, html } = picture(cause!.message);
    expect(file).toMatch(/failure-pictures\.test\.ts-a-failing-matcher-names.*\.html$/);
    // fast-check prints the counterexample as its steps in words: the page draws those steps.
    const shrunk = /Counterexample: \[(.*)\]$/m.exec(error.message)![1]!;
    const steps = shrunk.slice(shrunk.indexOf(': ') + 2).split(' · ');
    steps.forEach((step, i) => expect(html).toContain(`<h3>step ${i}: ${step.replace(/&/g, '&amp;')}</h3>`));
    expect(html).not.toContain(`<h3>step ${steps.length}:`);
    expect(html).toContain('on the model (sigwait design, mutant REAP_ONCE)');
    expect(html).toContain('<a class="r flag"');
    expect(html).toContain('the check fails here: expected pause to reap every zombie child');
  });

  test('for playPlan\'s result, drawn from its observations alone, at the broken invariant', async () => {
    const plans = fc.sample(planArbitrary(), { seed: SEED, numRuns: 400 });
    const broken = plans.map((plan) => playPlan(model, plan, { design: 'sigwait', mutant: 'REAP_ONCE' })).find((run) => run.violations.length > 0);
    expect(broken, 'one of 400 plans shows REAP_ONCE').toBeDefined();
    const { html } = picture((await failure(() => expect(broken).toHoldInvariants())).message);
    expect(html).toContain('Drawn from the observations alone');
    expect(html).toContain(`the check fails here: expected every invariant to hold, but`);
    expect(html).toContain(`<section class="step flag" id="s${broken!.violations[0]!.step + 1}"`);
  });

  test('for observations made by hand, with the steps numbered only, and none for a negated check', async () => {
    const observations = [
      { step: -1, pause: { state: 'running' as const }, processes: {}, stderr: [] },
      { step: 0, pause: { state: 'running' as const }, processes: { a: { state: 'zombie' as const, parent: 'pause' } }, stderr: [] },
    ];
    const { html } = picture((await failure(() => expect(observations).toHaveReapedEverything())).message);
    expect(html).toContain('The scenario is not known');
    expect(html).toContain('<h3>step 0</h3>');
    const negated = await failure(async () => expect(await runModel({ version: 1, pid1: true, steps: [] }, { design: 'sigwait' })).not.toHaveReapedEverything());
    expect(negated.message).not.toContain('the run, drawn');
  });
});

test(`the suite's property runner draws its shrunk counterexample with the design it names (seed ${SEED})`, async () => {
  const found = await findCounterexample({
    name: 'failure-pictures-reap-once',
    testFile: FILE,
    arbitrary: planArbitrary(),
    numRuns: 400,
    design: 'handlers',
    failsWith: (plan) => {
      const run = playPlan(model, plan, { design: 'handlers', mutant: 'REAP_ONCE' });
      return run.violations.length === 0 ? null : { scenario: run.scenario, why: `invariant ${run.violations[0]!.invariant} breaks` };
    },
  });
  expect(found, 'REAP_ONCE breaks an invariant in 400 plans').not.toBeNull();
  expect(found!.picture).toBe(join(dir, 'failure-pictures-reap-once-seed' + SEED + '.html'));
  expect(describeCounterexample(found!)).toContain(`drawn: ${found!.picture}`);
  const html = readFileSync(found!.picture, 'utf8');
  expect(html).toContain('on the model (handlers design)');
  found!.scenario.steps.forEach((step, i) => expect(html).toContain(`<h3>step ${i}: ${describeStep(step)}</h3>`));
});
