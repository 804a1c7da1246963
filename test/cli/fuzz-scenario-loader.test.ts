// Whatever a scenario file holds, the loader either accepts it, and then the
// model plays it on every design to the end, or rejects it with one
// PausekitError line that names the file, the step and the field: never
// another exception, a stack trace, a hang or a model abort.
//
// PAUSEKIT_FUZZ_RUNS sets the number of cases (default 10^4, as CI runs);
// PAUSEKIT_SEED replays a run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PausekitError } from '../../src/errors.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadScenario, parseScenario } from '../../src/scenario/load.ts';
import { DESIGNS, type Scenario } from '../../src/scenario/types.ts';
import { badInputArb, type BadInput } from '../support/bad-input.ts';
import { findFailingInput, SEED } from '../support/property.ts';

const RUNS = Number(process.env['PAUSEKIT_FUZZ_RUNS'] ?? 10_000);
const FILE = 'test/cli/fuzz-scenario-loader.test.ts';
const dir = mkdtempSync(join(tmpdir(), 'pausekit-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Errors about the file as a whole carry no field; their message says what is wrong with it. */
const WHOLE_FILE = /^(invalid JSON|cannot read the scenario|not UTF-8 text|too big)\b/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a rejection is not the clear error it must be, or null. */
function unclear(error: PausekitError, file: string): string | null {
  const { message, details } = error;
  if (!message.startsWith(`${file}: `)) return `the message does not start with the file name: ${JSON.stringify(message)}`;
  if (CONTROL.test(message)) return `the message is not one plain line: ${JSON.stringify(message)}`;
  if (message.length > 300 + file.length) return `the message is ${message.length} characters long: ${JSON.stringify(message.slice(0, 400))}...`;
  if (error.exitCode !== 2) return `exit code ${error.exitCode}, not 2`;
  if (details.file !== file) return `details.file is ${JSON.stringify(details.file)}`;
  const rest = message.slice(file.length + 2);
  if (details.field === undefined) {
    return WHOLE_FILE.test(rest) ? null : `no field named for ${JSON.stringify(message)}`;
  }
  if (!rest.startsWith(`${details.field}: `)) return `the message does not name the field ${JSON.stringify(details.field)}: ${JSON.stringify(message)}`;
  const stepInMessage = /^steps\[(\d+)\]/.exec(rest);
  if ((stepInMessage === null) !== (details.step === undefined)) {
    return `details.step (${details.step}) and the message disagree: ${JSON.stringify(message)}`;
  }
  if (stepInMessage !== null && Number(stepInMessage[1]) !== details.step) {
    return `details.step is ${details.step}, the message says ${stepInMessage[1]}: ${JSON.stringify(message)}`;
  }
  return null;
}

/** Why playing an accepted scenario on the model fails, or null. */
async function unplayable(scenario: Scenario): Promise<string | null> {
  for (const design of DESIGNS) {
    let observations;
    try {
      observations = await runModel(scenario, { design });
    } catch (error) {
      return `accepted, but the model (${design}) fails: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    }
    if (observations.length !== scenario.steps.length + 1) {
      return `accepted, but the model (${design}) made ${observations.length} observations for ${scenario.steps.length} steps`;
    }
    // In init mode the program is there from the start observation on.
    const names: string[] = scenario.init === undefined ? [] : [scenario.init.name];
    for (const [i, observation] of observations.entries()) {
      const step = scenario.steps[i - 1];
      if (step?.event === 'spawn') names.push(step.name);
      const shown = Object.keys(observation.processes);
      if (JSON.stringify(shown) !== JSON.stringify(names)) {
        return `accepted, but the model's observation ${i - 1} (${design}) lists ${JSON.stringify(shown)}, not the init program and the processes spawned so far ${JSON.stringify(names)}`;
      }
    }
  }
  return null;
}

const counts = { accepted: 0, rejected: 0, files: 0 };

async function failsWith(input: BadInput): Promise<string | null> {
  const file = input.asFile ? join(dir, 'case.json') : 'fuzz.json';
  let scenario: Scenario;
  try {
    if (input.asFile) {
      writeFileSync(file, input.bytes !== undefined ? Buffer.from(input.bytes) : (input.text ?? ''));
      counts.files++;
      scenario = loadScenario(file);
    } else {
      scenario = parseScenario(input.text ?? '', file);
    }
  } catch (error) {
    if (!(error instanceof PausekitError)) {
      return `rejected with ${error instanceof Error ? `${error.name}, not a PausekitError:\n${error.stack}` : `a thrown ${typeof error}: ${String(error)}`}`;
    }
    counts.rejected++;
    return unclear(error, file);
  }
  counts.accepted++;
  return unplayable(scenario);
}

describe('the scenario loader', () => {
  test(`accepts a playable scenario or names file, step and field, for ${RUNS} random and mutated inputs (seed ${SEED})`, async () => {
    const started = performance.now();
    const { report, runs } = await findFailingInput({
      name: 'fuzz-scenario-loader',
      testFile: FILE,
      arbitrary: badInputArb,
      numRuns: RUNS,
      runsVariable: 'PAUSEKIT_FUZZ_RUNS',
      failsWith,
      describe: (input) => `${input.origin}:\n${input.text ?? JSON.stringify(Buffer.from(input.bytes ?? []).toString('latin1'))}`,
      save: (input) => (input.bytes !== undefined ? Buffer.from(input.bytes) : (input.text ?? '')),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`fuzz-scenario-loader: ${runs} cases in ${seconds} s (seed ${SEED}): ` +
      `${counts.accepted} accepted and played on the model, ${counts.rejected} rejected; ${counts.files} through files`);
    expect(report).toBeNull();
    // The cases reach both outcomes: a fuzzer that only ever makes bad JSON proves little.
    if (runs >= 1000) {
      expect(counts.accepted).toBeGreaterThan(runs / 50);
      expect(counts.rejected).toBeGreaterThan(runs / 2);
    }
  }, 120_000);
});
