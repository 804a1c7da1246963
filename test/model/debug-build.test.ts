// The model's debug build checks the kernel's own invariants inside the
// model (asm/kernel/check.ts) after every atomic action: each pause step
// and each event the host applies. Random plans in both designs, settled
// and interleaved, with and without the catalogued bugs, must never trip
// one; a table broken on purpose (a debug-only hook) must, with a message
// naming the invariant, the slot and the values. The release build has
// none of it.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { loadModel, MODEL_WASM, MUTANTS, type ModelModule, type Mutant } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

const FILE = 'test/model/debug-build.test.ts';
const RUNS = Number(process.env['PAUSEKIT_DEBUG_RUNS'] ?? 1000);

// The hooks asm/debug.ts exports into the debug build only.
function hooks(model: ModelModule): { corrupt: (how: number) => number; checks: () => number } {
  const { corrupt, checks } = model.raw;
  if (corrupt === undefined || checks === undefined) throw new Error(`the ${model.build} build has no debug hooks (npm run build:asm)`);
  return { corrupt, checks };
}

describe.each<Design>(DESIGNS)('the debug build, %s design', (design) => {
  test(`keeps the kernel's invariants after every step of ${RUNS} random plans, interleaved or settled, bugs included (seed ${SEED})`, async () => {
    const release = await loadModel({ build: 'release' });
    const arbitrary = fc.record({
      plan: fc.oneof(planArbitrary(), planArbitrary({ interleave: true })),
      mutant: fc.option(fc.constantFrom<Mutant>(...MUTANTS), { nil: undefined }),
    });
    let checks = 0;
    const found = await findCounterexample({
      name: `debug-build-${design}`,
      testFile: FILE,
      arbitrary,
      numRuns: RUNS,
      failsWith: async ({ plan, mutant }) => {
        // An abort breaks the module; loadModel() then starts a fresh one.
        const model = await loadModel({ build: 'debug' });
        const before = hooks(model).checks();
        try {
          playPlan(model, plan, { design, mutant });
        } catch (error) {
          if (!(error instanceof PausekitError) || error.details.kind !== 'abort') throw error;
          // The release build plays the same steps (it only does not check).
          const run = playPlan(release, plan, { design, mutant });
          const schedule = run.schedule ? `\npause steps before each event: ${JSON.stringify(run.schedule)}` : '';
          return { scenario: run.scenario, why: `${error.message}${mutant ? ` (mutant ${mutant})` : ''}${schedule}` };
        }
        checks += hooks(model).checks() - before;
        return null;
      },
    });
    expect(found === null ? null : describeCounterexample(found)).toBeNull();
    // Every run checked: at least one check per event and per pause step.
    expect(checks).toBeGreaterThan(RUNS * 2);
  });
});

test('the debug build checks after every event and every pause step, and the release build gives the same observations', async () => {
  const debug = await loadModel({ build: 'debug' });
  const release = await loadModel({ build: 'release' });
  expect([debug.build, release.build]).toEqual(['debug', 'release']);
  const { checks } = hooks(debug);
  const observations = [debug, release].map((model) => {
    const world = model.create({ design: 'handlers', pid1: true });
    const start = model === debug ? checks() : 0;
    // app leaves a zombie, which pause adopts and reaps.
    world.spawn('app', 'outside', false);
    world.spawn('worker', 'app');
    world.exit('worker', 0);
    world.exit('app', 0);
    if (model === debug) expect(checks() - start).toBe(4);
    const steps = world.settle();
    expect(steps).toBeGreaterThan(0);
    // One check per step, and one after the step that found pause blocked.
    if (model === debug) expect(checks() - start).toBe(4 + steps + 1);
    const seen = world.observe(0);
    world.dispose();
    return seen;
  });
  expect(observations[0]).toEqual(observations[1]);
});

// Each way asm/kernel/check.ts's hook breaks a table (CORRUPT_*), and the
// line the abort must print: the invariant, the action, the slot, the values.
const CORRUPTIONS: [number, string, RegExp][] = [
  [1, 'a slot in two children lists', /invariant 'a children list holds its owner's living or zombie children' broken after a pause step: slot 4: in the list of 1: parent 3/],
  [2, "a parent's zombie count off by one", /invariant 'a children list's counts match it' broken after a pause step: slot 1: children 0 \(listed 0\), zombies 1 \(listed 0\)/],
  [3, 'signal 32 (the C library\'s) pending', /invariant 'pending signals are 1\.\.64 but 32 and 33, none for the dead' broken after a pause step: slot 4: state 1, pending 0x80000000/],
  [4, 'a living process whose parent is gone', /invariant 'no orphan without a living parent' broken after a pause step: slot 4: state 1, parent 2 in state 4/],
  [5, 'more handler frames than MAX_FRAMES', /invariant 'handler frames within MAX_FRAMES, only while pause lives' broken after a pause step: slot 1: depth 65 \(MAX_FRAMES 64\)/],
];

describe('a table broken on purpose', () => {
  test.each(CORRUPTIONS)('(%i: %s) aborts the debug build with a message naming the invariant, the slot and the values', async (how, _what, message) => {
    const model = await loadModel({ build: 'debug' });
    const world = model.create({ design: 'sigwait', pid1: true });
    world.spawn('gone');
    world.exit('gone', 0);
    world.spawn('parent');
    world.spawn('child', 'parent');
    world.settle();
    expect(hooks(model).corrupt(how)).toBe(0);
    let error: unknown = null;
    try {
      world.settle();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).message).toMatch(/^the model aborted: abort: /);
    expect((error as PausekitError).message).toMatch(message);
    // The aborted module is done; the next loadModel() is a fresh one that works.
    const fresh = await loadModel({ build: 'debug' });
    expect(fresh).not.toBe(model);
    const again = fresh.create({ design: 'sigwait' });
    again.spawn('a');
    again.dispose();
  });

  test('is refused for an unknown way', async () => {
    const model = await loadModel({ build: 'debug' });
    expect(hooks(model).corrupt(0)).toBe(-7);
    expect(hooks(model).corrupt(6)).toBe(-7);
  });
});

test('the release build has no checks: no hook, no invariant text', async () => {
  const release = await loadModel({ build: 'release' });
  expect(release.raw.corrupt).toBeUndefined();
  expect(release.raw.checks).toBeUndefined();
  // The abort messages are UTF-16 strings in the module's data.
  const text = Buffer.from("invariant '", 'utf16le');
  expect(readFileSync(MODEL_WASM).includes(text)).toBe(false);
});

test('PAUSEKIT_MODEL_BUILD picks the build loadModel() loads by default, and a bad value or build is a one-line error', async () => {
  const saved = process.env['PAUSEKIT_MODEL_BUILD'];
  try {
    process.env['PAUSEKIT_MODEL_BUILD'] = 'debug';
    expect((await loadModel()).build).toBe('debug');
    process.env['PAUSEKIT_MODEL_BUILD'] = 'fast';
    await expect(loadModel()).rejects.toThrow(/^PAUSEKIT_MODEL_BUILD must be release or debug, got 'fast'$/);
  } finally {
    if (saved === undefined) delete process.env['PAUSEKIT_MODEL_BUILD'];
    else process.env['PAUSEKIT_MODEL_BUILD'] = saved;
  }
  await expect(loadModel({ build: 'fast' as 'debug' })).rejects.toThrow(/^unknown model build 'fast' \(release or debug\)$/);
});
