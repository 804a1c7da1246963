// Property runs with a printed seed, a replay command and the shrunk
// counterexample saved as a scenario file that `pausekit run` and
// `pausekit diff` accept, and drawn as an HTML page beside it (or in
// $PAUSEKIT_HTML_DIR).
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { propertySeed } from '../../src/check/arbitraries.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { scenarioToJson } from '../../src/scenario/load.ts';
import type { Design, Scenario } from '../../src/scenario/types.ts';
import { drawCounterexample, htmlDirectory } from '../../src/view/counterexample.ts';

export const COUNTEREXAMPLE_DIR = fileURLToPath(new URL('../../build/counterexamples/', import.meta.url));

/** The seed of this test process: PAUSEKIT_SEED, or fresh (printed on failure). */
export const SEED = propertySeed();

export interface Counterexample {
  seed: number;
  replay: string;
  scenario: Scenario;
  file: string;
  /** The HTML page of the scenario played on the model. */
  picture: string;
  why: string;
  shrinks: number;
}

/** Saves a scenario (with why it fails in its description); returns the file. */
export function saveCounterexample(name: string, scenario: Scenario, why: string): string {
  mkdirSync(COUNTEREXAMPLE_DIR, { recursive: true });
  const file = `${COUNTEREXAMPLE_DIR}${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}-seed${SEED}.json`;
  const description = why.split('\n')[0]!.slice(0, 300);
  writeFileSync(file, scenarioToJson({ ...scenario, description }));
  return file;
}

/**
 * Runs `failsWith` over the arbitrary; a non-null answer is a failure.
 * Returns the shrunk counterexample (saved to a file), or null if none.
 */
export async function findCounterexample<T>(options: {
  name: string;
  testFile: string;
  arbitrary: fc.Arbitrary<T>;
  numRuns: number;
  /** fast-check's time limit for this run (default: the global one). */
  timeLimitMs?: number;
  /** The design the picture plays the counterexample with (default sigwait). */
  design?: Design;
  failsWith: (value: T) => Promise<{ scenario: Scenario; why: string } | null> | { scenario: Scenario; why: string } | null;
}): Promise<Counterexample | null> {
  let last: { scenario: Scenario; why: string } | null = null;
  const details = await fc.check(
    fc.asyncProperty(options.arbitrary, async (value) => {
      const failure = await options.failsWith(value);
      if (failure !== null) last = failure;
      return failure === null;
    }),
    { seed: SEED, numRuns: options.numRuns, endOnFailure: false, ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs } : {}) },
  );
  if (details.interrupted) {
    throw new Error(`${options.name}: the property run hit fast-check's time limit after ${details.numRuns} runs (seed ${SEED}); nothing was proven`);
  }
  if (!details.failed || details.counterexample === null) return null;
  // Re-run the shrunk value so `last` is the minimal one, not the last tried.
  const minimal = await options.failsWith(details.counterexample[0]);
  const found = minimal ?? last;
  if (found === null) return null;
  const file = saveCounterexample(options.name, found.scenario, found.why);
  const design = options.design ?? 'sigwait';
  const why = options.design === undefined ? `${found.why}\n(drawn with the sigwait design: the test did not say which design failed)` : found.why;
  const picture = drawCounterexample(await loadModel(), found.scenario, { why, design, file: join(htmlDirectory(COUNTEREXAMPLE_DIR), basename(file).replace(/\.json$/, '.html')) });
  return {
    seed: SEED,
    replay: `PAUSEKIT_SEED=${SEED} npx vitest run ${options.testFile}`,
    scenario: found.scenario,
    file,
    picture,
    why: found.why,
    shrinks: details.numShrinks,
  };
}

/** The failure message: seed, replay command, file, scenario. */
export function describeCounterexample(c: Counterexample): string {
  return [
    `seed ${c.seed} (replay: ${c.replay})`,
    `shrunk ${c.shrinks} times; saved to ${c.file}`,
    `  (pausekit run ${c.file} --engine model / pausekit diff ${c.file})`,
    `drawn: ${c.picture}`,
    c.why,
    scenarioToJson(c.scenario),
  ].join('\n');
}

/**
 * Runs a property over inputs that are not scenarios (bad files, argv...).
 * A non-null answer of `failsWith` is a failure: the result is a report
 * with the seed, the replay command, the shrunk input (saved to a file by
 * `save`) and why it fails; null when every case passes. `runs` is how
 * many cases ran (fewer only on failure).
 */
export async function findFailingInput<T>(options: {
  name: string;
  testFile: string;
  arbitrary: fc.Arbitrary<T>;
  numRuns: number;
  /** The environment variable that sets numRuns (part of the replay command). */
  runsVariable: string;
  failsWith: (value: T) => Promise<string | null> | string | null;
  describe: (value: T) => string;
  /** The bytes to save for the shrunk input (default: describe's text). */
  save?: (value: T) => string | Uint8Array;
}): Promise<{ report: string | null; runs: number }> {
  const details = await fc.check(
    fc.asyncProperty(options.arbitrary, async (value) => (await options.failsWith(value)) === null),
    { seed: SEED, numRuns: options.numRuns },
  );
  if (details.interrupted) {
    throw new Error(`${options.name}: the run hit fast-check's time limit after ${details.numRuns} cases (seed ${SEED}); nothing was proven`);
  }
  if (!details.failed) return { report: null, runs: details.numRuns };
  if (details.counterexample === null) {
    const error: unknown = details.errorInstance;
    return { report: `seed ${SEED}: ${error instanceof Error ? error.stack : String(error)}`, runs: details.numRuns };
  }
  const value = details.counterexample[0];
  const why = (await options.failsWith(value)) ?? '(passes when run again: the failure depends on an earlier case)';
  mkdirSync(COUNTEREXAMPLE_DIR, { recursive: true });
  const file = `${COUNTEREXAMPLE_DIR}${options.name}-seed${SEED}.input`;
  writeFileSync(file, options.save?.(value) ?? options.describe(value));
  const shown = options.describe(value);
  return {
    runs: details.numRuns,
    report: [
      `seed ${SEED} (replay: PAUSEKIT_SEED=${SEED} ${options.runsVariable}=${options.numRuns} npx vitest run ${options.testFile})`,
      `failed after ${details.numRuns} cases, shrunk ${details.numShrinks} times; input saved to ${file}`,
      why,
      shown.length > 2000 ? `${shown.slice(0, 2000)}... (${shown.length} characters)` : shown,
    ].join('\n'),
  };
}
