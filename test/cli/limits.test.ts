// Every stated limit holds at its value: the largest input inside it is
// accepted, the smallest beyond it gets its own clear error (the ones
// docs/scenario-format.md and docs/cli.md list), and nothing runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_STATES, MAX_EXPLORE_DEPTH, MAX_EXPLORE_STATES, explore } from '../../src/check/explore.ts';
import { run as exploreCommand } from '../../src/cli/explore.ts';
import { PausekitError } from '../../src/errors.ts';
import { MAX_SCENARIO_BYTES, MAX_SCENARIO_PROCESSES, MAX_STEPS, loadScenario, parseScenario } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'pausekit-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (steps: unknown[]) => JSON.stringify({ version: 1, steps });
const spawns = (n: number) => Array.from({ length: n }, (_, i) => ({ event: 'spawn', name: `p${i}` }));
const sigchlds = (n: number) => Array.from({ length: n }, () => ({ event: 'signal', target: 'pause', signal: 'SIGCHLD' }));

/** The PausekitError a call ends with (a failure if it ends otherwise). */
async function errorOf(call: () => unknown): Promise<PausekitError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof PausekitError) return error;
    throw error;
  }
  throw new Error('no error: the input was accepted');
}

describe('the limits of a scenario', () => {
  it(`accepts ${MAX_SCENARIO_PROCESSES} processes and names the spawn step of one more`, async () => {
    expect(parseScenario(scenario(spawns(MAX_SCENARIO_PROCESSES)), 'a.json').steps).toHaveLength(MAX_SCENARIO_PROCESSES);
    const error = await errorOf(() => parseScenario(scenario(spawns(MAX_SCENARIO_PROCESSES + 1)), 'a.json'));
    expect(error.message).toBe(`a.json: steps[${MAX_SCENARIO_PROCESSES}].name: one process too many: a scenario may spawn at most ${MAX_SCENARIO_PROCESSES} processes`);
    expect(error.details.step).toBe(MAX_SCENARIO_PROCESSES);
  });

  it(`accepts ${MAX_STEPS} steps and refuses one more`, async () => {
    expect(parseScenario(scenario(sigchlds(MAX_STEPS)), 'a.json').steps).toHaveLength(MAX_STEPS);
    const error = await errorOf(() => parseScenario(scenario(sigchlds(MAX_STEPS + 1)), 'a.json'));
    expect(error.message).toBe(`a.json: steps: ${MAX_STEPS + 1} steps; a scenario may have at most ${MAX_STEPS}`);
  });

  it(`reads a file of ${MAX_SCENARIO_BYTES} bytes and refuses one byte more, by its size`, async () => {
    const text = scenario([]);
    const file = join(dir, 'big.json');
    writeFileSync(file, text + ' '.repeat(MAX_SCENARIO_BYTES - text.length));
    expect(loadScenario(file).steps).toEqual([]);
    writeFileSync(file, text + ' '.repeat(MAX_SCENARIO_BYTES - text.length + 1));
    const error = await errorOf(() => loadScenario(file));
    expect(error.message).toBe(`${file}: too big: ${MAX_SCENARIO_BYTES + 1} bytes; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (4 MiB)`);
  });

  it('stops reading a file that never ends at the limit', async () => {
    const error = await errorOf(() => loadScenario('/dev/zero'));
    expect(error.message).toBe(`/dev/zero: too big: more than ${MAX_SCENARIO_BYTES} bytes; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (4 MiB)`);
  });

  it('refuses a text over the size limit given to parseScenario', async () => {
    const error = await errorOf(() => parseScenario(scenario([]) + ' '.repeat(MAX_SCENARIO_BYTES), 'a.json'));
    expect(error.message).toMatch(/^a\.json: too big: \d+ bytes; a scenario file may hold at most 4194304 bytes \(4 MiB\)$/);
  });
});

describe('the limits of pausekit explore', () => {
  it(`takes --max-states up to ${MAX_EXPLORE_STATES} and refuses more before exploring`, async () => {
    const small = parseScenario(scenario(spawns(2)), 'a.json');
    expect((await explore(small, { design: 'sigwait', maxStates: MAX_EXPLORE_STATES })).violation).toBeNull();
    expect(DEFAULT_MAX_STATES).toBeLessThanOrEqual(MAX_EXPLORE_STATES);
    const file = join(dir, 'small.json');
    writeFileSync(file, scenario(spawns(2)));
    const error = await errorOf(() => exploreCommand([file, '--max-states', String(MAX_EXPLORE_STATES + 1)]));
    expect(error.message).toBe(`explore: --max-states: expected 1..${MAX_EXPLORE_STATES} (each state holds a world of the model), got ${MAX_EXPLORE_STATES + 1}`);
    expect(error.exitCode).toBe(2);
  });

  it(`explores a scenario of ${MAX_EXPLORE_DEPTH - 1} steps and refuses one of ${MAX_EXPLORE_DEPTH} at once`, async () => {
    // Spawns give pause nothing to do: one state per step, cheap to explore to the end.
    const longest = parseScenario(scenario(spawns(MAX_EXPLORE_DEPTH - 1)), 'a.json');
    const result = await explore(longest, { design: 'sigwait' });
    expect(result.violation).toBeNull();
    expect(result.outcomes).toHaveLength(1);
    // Refused at once, before any state: with room for a single state, exploring would stop at the state limit instead.
    const error = await errorOf(() => explore(parseScenario(scenario(sigchlds(MAX_EXPLORE_DEPTH)), 'a.json'), { design: 'sigwait', maxStates: 1 }));
    expect(error.message).toBe(`explore: traces longer than ${MAX_EXPLORE_DEPTH} actions: the scenario (${MAX_EXPLORE_DEPTH} steps) is too long to explore exhaustively; shorten it`);
  });

  it('stops at the depth limit when pause\'s own steps make the traces longer than the scenario', async () => {
    // sigint.json: 3 events, and pause takes and answers SIGINT: traces of 6 actions.
    const sigint = loadScenario(new URL('../../src/scenario/examples/sigint.json', import.meta.url).pathname);
    expect((await explore(sigint, { design: 'sigwait', maxDepth: 6 })).violation).toBeNull();
    const error = await errorOf(() => explore(sigint, { design: 'sigwait', maxDepth: 5 }));
    expect(error.message).toBe('explore: traces longer than 5 actions: the scenario (3 steps) is too long to explore exhaustively; shorten it');
  });
});
