// The library's edges, as a JavaScript caller meets them: every function the
// package's entries export either works with its arguments left out (the
// defaults) or says in one line which argument must be what (a
// PausekitError), never a TypeError from deep inside; and runModel and
// runKernel take a scenario as the JSON format writes it (ScenarioInput:
// defaults left out, signals by number), as the docs' JSON is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import * as main from '../../src/index.ts';
import * as arbitraries from '../../src/check/arbitraries.ts';
import * as invariants from '../../src/check/invariants.ts';
import * as expectations from '../../src/check/expectations.ts';
import { PausekitError, loadModel, normalizeScenario, runModel, type ModelModule, type ScenarioInput } from '../../src/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The package's entries (package.json "exports"), by the modules they compile from; pausekit/vitest's functions are expectations'. */
const ENTRIES: Record<string, Record<string, unknown>> = {
  pausekit: main,
  'pausekit/arbitraries': arbitraries,
  'pausekit/invariants': invariants,
  'pausekit/vitest': expectations,
};

/** Functions that need no argument: called bare, they must work. */
const NO_ARGUMENTS = new Set([
  'loadModel', 'kernelAvailability', 'defaultModelBuild', 'kernelEngine', 'modelEngine', 'engineNamed',
  'pauseBinary', 'planArbitrary', 'deepPlanArbitrary', 'propertySeed',
]);

const isClass = (f: Function): boolean => /^class\b/.test(Function.prototype.toString.call(f));

describe.each(Object.entries(ENTRIES))('%s: every exported function, called with no arguments', (entry, module) => {
  const functions = Object.entries(module).filter(([, v]) => typeof v === 'function' && !isClass(v as Function));

  test.each(functions)('%s works or names the argument it needs, in one line', async (name, f) => {
    let outcome: unknown;
    try {
      outcome = await (f as () => unknown)();
    } catch (error) {
      outcome = error;
    }
    if (outcome instanceof Error) {
      expect(outcome, `${entry} ${name}(): ${outcome.stack}`).toBeInstanceOf(PausekitError);
      expect(outcome.message).not.toContain('\n');
      expect(NO_ARGUMENTS.has(name), `${name}() needs no argument, but threw: ${outcome.message}`).toBe(false);
    } else {
      expect(NO_ARGUMENTS.has(name) || outcome === undefined || entry === 'pausekit/vitest',
        `${name}() returned without its arguments: list it in NO_ARGUMENTS if that is its default`).toBe(true);
    }
  });
});

test("the defaults are the library's defaults: pauseBinary() is the sigwait design's", () => {
  expect(main.pauseBinary()).toBe(main.pauseBinary('sigwait'));
  expect(main.pauseBinary()).toMatch(/\/pause-sigwait$/);
});

test('the classes a caller gets from the library are constructed by it: loadModel, model.create, KernelSession.open', () => {
  const classes = Object.entries(ENTRIES).flatMap(([entry, module]) =>
    Object.entries(module).filter(([, v]) => typeof v === 'function' && isClass(v as Function)).map(([name]) => `${entry} ${name}`));
  expect(classes.sort()).toEqual([
    'pausekit KernelSession', 'pausekit ModelModule', 'pausekit ModelWorld', 'pausekit PausekitError', 'pausekit/invariants InvariantChecker',
  ]);
});

describe('runModel takes the JSON format as written (ScenarioInput)', () => {
  let model: ModelModule;
  beforeAll(async () => {
    model = await loadModel();
  });

  test("docs/scenario-format.md's JSON example, given inline, runs as its file does", async () => {
    const page = readFileSync(join(ROOT, 'docs/scenario-format.md'), 'utf8');
    const json = page.match(/^```json\n([\s\S]*?)^```$/m)?.[1];
    expect(json, 'a ```json block on docs/scenario-format.md').toBeDefined();
    const input = JSON.parse(json!) as ScenarioInput;
    expect(input.steps.some((s) => s.event === 'spawn' && s.reaps === undefined), 'the example leaves a default out').toBe(true);
    expect(await runModel(input, { design: 'sigwait' })).toEqual(await runModel(normalizeScenario(input), { design: 'sigwait' }));
    expect(model).toBeDefined();
  });

  test('defaults left out and a signal by number are the same scenario as written out in full', async () => {
    const short: ScenarioInput = { version: 1, steps: [{ event: 'spawn', name: 'app' }, { event: 'signal', target: 'pause', signal: 15 }] };
    const full: ScenarioInput = {
      version: 1, pid1: true,
      steps: [{ event: 'spawn', name: 'app', parent: 'outside', reaps: true }, { event: 'signal', target: 'pause', signal: 'SIGTERM', from: 'outside' }],
    };
    expect(normalizeScenario(short)).toEqual(normalizeScenario(full));
    expect(await runModel(short, { design: 'handlers' })).toEqual(await runModel(full, { design: 'handlers' }));
  });

  test("the static rules are the loader's: runModel plays a scenario they refuse (tests of a mutant make such ones)", async () => {
    const impossible: ScenarioInput = {
      version: 1,
      init: { name: 'app' },
      steps: [{ event: 'disposition', name: 'app', signal: 'SIGCHLD', action: 'catch' }],
    };
    expect(() => main.parseScenario(JSON.stringify(impossible))).toThrow(/reaps its children, so it takes SIGCHLD itself/);
    expect((await runModel(impossible, { design: 'sigwait' })).at(-1)!.processes['app']).toMatchObject({ state: 'running' });
  });

  test('a scenario the format refuses is refused in one line naming the field, before anything runs', async () => {
    const bad = { version: 1, steps: [{ event: 'signal', target: 'pause', signal: 'SIGFOO' }] } as unknown as ScenarioInput;
    await expect(runModel(bad, { design: 'sigwait' })).rejects.toThrow(/^scenario: steps\[0\]\.signal: unknown signal "SIGFOO"/);
    await expect(main.runKernel(bad, { design: 'sigwait' })).rejects.toThrow(/^scenario: steps\[0\]\.signal: unknown signal "SIGFOO"/);
  });
});
