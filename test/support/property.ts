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

/**
 * The seed of every property, differential and fuzz run when PAUSEKIT_SEED
 * is not set: fixed, so that CI runs the same cases every time and a
 * failure there is a change in the code, not a new draw. Change it only on
 * purpose, in a commit of its own, to a seed that `npm run test:deep` ran
 * clean with (it prints the fresh seed it used first); PAUSEKIT_SEED
 * overrides it for one run (a replay, or test:deep's fresh seed).
 */
export const FIXED_SEED = 20261207;

/** The seed of this test process: PAUSEKIT_SEED if set, else FIXED_SEED. Failures print it with a replay command. */
export const SEED = process.env['PAUSEKIT_SEED'] ? propertySeed() : FIXED_SEED;

/** The command that replays a test file's run: the seed, and the run counts (PAUSEKIT_*_RUNS) the environment set or `runs` gives. */
export function replayCommand(testFile: string, runs: Record<string, number> = {}): string {
  const set = Object.entries(process.env).filter(([name]) => /^PAUSEKIT_\w+_RUNS$/.test(name) && !(name in runs));
  const all = [...set, ...Object.entries(runs)].map(([name, value]) => `${name}=${value} `).sort();
  return `PAUSEKIT_SEED=${SEED} ${all.join('')}npx vitest run ${testFile}`;
}

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
 * Runs `failsWith` over the arbitrary; a non-null answer is a failure, and
 * so is an error it throws. Returns the shrunk counterexample (saved to a
 * file), or null when every run passed. A failure is never lost: if the
 * shrunk case passes when run again, the last failing case fast-check saw
 * is returned, said so; if every failure was a thrown error, it is thrown
 * again with the seed and the replay command.
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
    throw new Error(`${options.name}: the property run hit fast-check's time limit after ${details.numRuns} runs (seed ${SEED}; replay: ${replayCommand(options.testFile)}); nothing was proven`);
  }
  if (!details.failed) return null;
  const replay = replayCommand(options.testFile);
  const thrown = (error: unknown): Error => new Error(
    `${options.name}: failed with an error (seed ${SEED}; replay: ${replay}), shrunk ${details.numShrinks} times to ` +
    `${details.counterexample === null ? 'no value' : fc.stringify(details.counterexample[0])}:\n` +
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  // Re-run the shrunk value so the failure reported is the minimal one, not the last tried.
  let minimal: { scenario: Scenario; why: string } | null = null;
  if (details.counterexample !== null) {
    try {
      minimal = await options.failsWith(details.counterexample[0]);
    } catch (error) {
      throw thrown(error);
    }
  }
  const found = minimal ?? (last === null ? null : { ...(last as { scenario: Scenario; why: string }) });
  if (found === null) throw thrown(details.errorInstance);
  if (minimal === null) found.why = `${found.why}\n(the shrunk case passed when run again: this is the last failing case tried)`;
  const file = saveCounterexample(options.name, found.scenario, found.why);
  const design = options.design ?? 'sigwait';
  const why = options.design === undefined ? `${found.why}
(drawn with the sigwait design: the test did not say which design failed)` : found.why;
  const picture = drawCounterexample(await loadModel(), found.scenario, { why, design, file: join(htmlDirectory(COUNTEREXAMPLE_DIR), basename(file).replace(/\.json$/, '.html')) });
  return { seed: SEED, replay, scenario: found.scenario, file, picture, why: found.why, shrinks: details.numShrinks };
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
  const replay = replayCommand(options.testFile, { [options.runsVariable]: options.numRuns });
  if (details.interrupted) {
    throw new Error(`${options.name}: the run hit fast-check's time limit after ${details.numRuns} cases (seed ${SEED}; replay: ${replay}); nothing was proven`);
  }
  if (!details.failed) return { report: null, runs: details.numRuns };
  if (details.counterexample === null) {
    const error: unknown = details.errorInstance;
    return { report: `seed ${SEED} (replay: ${replay}): ${error instanceof Error ? error.stack : String(error)}`, runs: details.numRuns };
  }
  const value = details.counterexample[0];
  let why: string;
  try {
    why = (await options.failsWith(value)) ?? '(passes when run again: the failure depends on an earlier case)';
  } catch (error) {
    why = `throws when run again: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  mkdirSync(COUNTEREXAMPLE_DIR, { recursive: true });
  const file = `${COUNTEREXAMPLE_DIR}${options.name}-seed${SEED}.input`;
  writeFileSync(file, options.save?.(value) ?? options.describe(value));
  const shown = options.describe(value);
  return {
    runs: details.numRuns,
    report: [
      `seed ${SEED} (replay: ${replay})`,
      `failed after ${details.numRuns} cases, shrunk ${details.numShrinks} times; input saved to ${file}`,
      why,
      shown.length > 2000 ? `${shown.slice(0, 2000)}... (${shown.length} characters)` : shown,
    ].join('\n'),
  };
}
