// runModel() as a JavaScript caller meets it: sensible defaults (the
// sigwait design under node:wasi), and one clear PausekitError for an
// argument that is wrong, never a raw TypeError.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { DEFAULT_DESIGN, runModel } from '../../src/engines/model/engine.ts';
import { DEFAULT_WASI } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';
import { loadScenario, SEED_STORY } from '../../src/scenario/load.ts';
import { signalNumber, SIGNALS, type Scenario } from '../../src/scenario/types.ts';

const story = SEED_STORY;
const EXAMPLES = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));

/** What a call rejects with: a one-line PausekitError, exit code 2. */
async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(PausekitError);
  const { message, exitCode } = error as PausekitError;
  expect(message).not.toContain('\n');
  expect(exitCode).toBe(2);
  return message;
}

test('with no options it plays the sigwait design under node:wasi', async () => {
  expect([DEFAULT_DESIGN, DEFAULT_WASI]).toEqual(['sigwait', 'node']);
  const observations = await runModel(story);
  expect(observations).toEqual(await runModel(story, { design: 'sigwait', wasi: 'node' }));
  expect(observations.length).toBe(story.steps.length + 1);
  // Two examples where the designs part: the default is sigwait in each.
  const [handlersDiffer, autoreapDiffers] = ['stopped-int-term.json', 'stop-continue.json'].map((f) => loadScenario(`${EXAMPLES}${f}`));
  expect(await runModel(handlersDiffer!)).toEqual(await runModel(handlersDiffer!, { design: 'sigwait' }));
  expect(await runModel(handlersDiffer!)).not.toEqual(await runModel(handlersDiffer!, { design: 'handlers' }));
  // A JavaScript caller's options without a design get it too.
  const withoutDesign = runModel as (scenario: Scenario, options: object) => Promise<unknown>;
  expect(await withoutDesign(handlersDiffer!, { wasi: 'node' })).toEqual(await runModel(handlersDiffer!, { design: 'sigwait' }));
  expect(await runModel(autoreapDiffers!)).toEqual(await runModel(autoreapDiffers!, { design: 'sigwait' }));
  expect(await runModel(autoreapDiffers!)).not.toEqual(await runModel(autoreapDiffers!, { design: 'autoreap' }));
});

test('a scenario that is not one is refused, naming what is wrong', async () => {
  const run = runModel as (scenario: unknown, options?: unknown) => Promise<unknown>;
  expect(await refusal(run(undefined))).toBe('runModel(scenario, options): scenario must be a scenario object (from parseScenario or loadScenario)');
  expect(await refusal(run('{"version":1}'))).toMatch(/^runModel\(scenario, options\): scenario must be a scenario object/);
  expect(await refusal(run({ version: 1 }))).toBe(
    'runModel(scenario, options): scenario.steps must be an array of steps (parse the scenario with parseScenario or loadScenario)',
  );
  expect(await refusal(run({ ...story, steps: [story.steps[0], null] }))).toBe('runModel(scenario, options): scenario.steps[1] must be a step object');
  expect(await refusal(run({ ...story, pid1: 'yes' }))).toBe('runModel(scenario, options): scenario.pid1 must be true or false');
  expect(await refusal(run({ ...story, steps: [{ event: 'fork', name: 'x' }] }))).toBe('scenario: steps[0].event: unknown event "fork" (allowed: spawn, exit, signal, subreaper, disposition)');
});

test('options that are not an object, or name an unknown design, mutant or runtime, are refused', async () => {
  const run = runModel as (scenario: Scenario, options?: unknown) => Promise<unknown>;
  expect(await refusal(run(story, 'sigwait'))).toBe("runModel(scenario, options): options must be an object such as { design: 'sigwait' }");
  expect(await refusal(run(story, { design: 'signalfd' }))).toBe("unknown design 'signalfd' (one of sigwait, handlers, autoreap)");
  expect(await refusal(run(story, { mutant: 'REAP_TWICE' }))).toMatch(/^unknown mutant 'REAP_TWICE' \(one of REAP_ONCE, NO_CHLD, .*EXIT_EARLY\)$/);
  expect(await refusal(run(story, { mutant: 'toString' }))).toMatch(/^unknown mutant 'toString' /);
  expect(await refusal(run(story, { wasi: 'wasmtime' }))).toBe("unknown WASI runtime 'wasmtime' (node or wasmer)");
});

test('signals are numbered by the one table, by name or number; anything else is named', () => {
  expect(signalNumber('SIGTERM')).toBe(15);
  expect(signalNumber(9)).toBe(9);
  expect(SIGNALS.every((name, i) => (name === '' ? [0, 32, 33].includes(i) : signalNumber(name) === i))).toBe(true);
  expect(SIGNALS.length).toBe(65);
  // Real-time signals as bash's kill -l names them, and any other spelling that lands in 34..64.
  expect([SIGNALS[34], SIGNALS[37], SIGNALS[49], SIGNALS[50], SIGNALS[63], SIGNALS[64]])
    .toEqual(['SIGRTMIN', 'SIGRTMIN+3', 'SIGRTMIN+15', 'SIGRTMAX-14', 'SIGRTMAX-1', 'SIGRTMAX']);
  expect(['SIGRTMIN+20', 'SIGRTMAX-10', 'SIGRTMIN+0', 'SIGRTMAX-30'].map((s) => signalNumber(s as 'SIGRTMIN'))).toEqual([54, 54, 34, 34]);
  for (const bad of [0, 32, 33, 65, 1.5, 'SIGFOO', '', 'SIGRTMIN+31', 'SIGRTMAX+1', 'SIGRTMIN-1', 'SIGRTMIN+03']) {
    expect(() => signalNumber(bad as number)).toThrow(PausekitError);
  }
  expect(() => signalNumber('SIGFOO' as 'SIGTERM')).toThrow(`unknown signal 'SIGFOO' (use a name like "SIGTERM" or "SIGRTMIN+3", or a number 1..64 but 32 and 33)`);
  expect(() => signalNumber(33)).toThrow("signal 33 is the C library's own");
});
