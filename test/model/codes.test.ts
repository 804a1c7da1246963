// The host copies nothing of the model's numeric interface: it reads each
// group of codes from the module's exports when it loads (readCodes), holds
// them to the names pausekit knows, and words errors as the module does.
// A constant missing from, or added to, the module fails the load, naming it.
import { expect, test } from 'vitest';
import { readCodes } from '../../src/engines/model/codes.ts';
import { loadModel, MAX_PROCESSES, MUTANTS } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';
import { DESIGNS, DISPOSITION_ACTIONS, EXEC_OUTCOMES } from '../../src/scenario/types.ts';

const model = await loadModel();
// The real instance's exports: globals, functions and memory.
const real = model.raw as unknown as Record<string, unknown>;

/** The real exports with some taken out, and some constants added or changed (as i32 globals). */
function exportsWith(changes: { without?: string[]; with?: Record<string, number> }): Record<string, unknown> {
  const fake: Record<string, unknown> = { ...real };
  for (const name of changes.without ?? []) delete fake[name];
  for (const [name, value] of Object.entries(changes.with ?? {})) fake[name] = new WebAssembly.Global({ value: 'i32', mutable: false }, value);
  return fake;
}

/** The one-line message readCodes() refuses a module with. */
function refusal(exports: Record<string, unknown>): string {
  try {
    readCodes(exports, 'fake.wasm');
  } catch (error) {
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).details.kind).toBe('interface');
    return (error as PausekitError).message;
  }
  throw new Error('readCodes() accepted the module');
}

test("the real module's codes are read, every name pausekit knows among them", () => {
  const codes = readCodes(real, 'pause.wasm');
  expect(Object.keys(codes.mutant).sort()).toEqual(['NONE', ...MUTANTS].sort());
  expect(Object.keys(codes.design)).toEqual([...DESIGNS]);
  expect(Object.keys(codes.exec)).toEqual([...EXEC_OUTCOMES]);
  expect(Object.keys(codes.action)).toEqual([...DISPOSITION_ACTIONS]);
  expect(codes.stateNamed.filter((s) => s !== undefined).sort()).toEqual(['gone', 'running', 'stopped', 'zombie']);
  expect(codes.phaseNamed.filter((p) => p !== undefined).sort()).toEqual(['EXITED', 'FORWARDING', 'REAPING', 'SHUTTING_DOWN', 'WAITING']);
  // Each number is the module's own global.
  expect(codes.mutant.EXIT_EARLY).toBe((real['MUTANT_EXIT_EARLY'] as WebAssembly.Global).value);
  expect(codes.exec['not-executable']).toBe((real['EXEC_NOT_EXECUTABLE'] as WebAssembly.Global).value);
  expect(codes.slot.FIRST_NAMED).toBe(codes.slot.PAUSE + 1);
});

test("the module words its errors, as a user reads them after what was refused", () => {
  const { errorText } = readCodes(real, 'pause.wasm');
  expect([...errorText.entries()].sort(([a], [b]) => b - a)).toEqual([
    [-1, `the process table is full (${MAX_PROCESSES} processes)`],
    [-2, 'no such process'],
    [-3, 'the process is not running (stopped, zombie or gone)'],
    [-4, "pause's PID namespace is gone: no process can be started in it"],
    [-5, 'signal out of range 1..64, or 32 or 33 (the C library\'s own)'],
    [-6, 'no such model world (disposed?)'],
    [-7, 'argument out of range'],
  ]);
});

test('a constant missing from the module is named', () => {
  expect(refusal(exportsWith({ without: ['MUTANT_EXIT_EARLY'] }))).toBe(
    "the model fake.wasm does not match this host: it lacks the constant MUTANT_EXIT_EARLY (the host's 'EXIT_EARLY', MUTANTS in src/engines/model/codes.ts)",
  );
  expect(refusal(exportsWith({ without: ['PHASE_FORWARDING', 'EXEC_NOT_EXECUTABLE'] }))).toBe(
    "the model fake.wasm does not match this host: it lacks the constant EXEC_NOT_EXECUTABLE (the host's 'not-executable', EXEC_OUTCOMES in src/scenario/types.ts); " +
    "it lacks the constant PHASE_FORWARDING (the host's 'FORWARDING', PHASES in src/engines/model/codes.ts)",
  );
  expect(refusal(exportsWith({ without: ['LIVELOCK'] }))).toMatch(/: it lacks the constant LIVELOCK$/);
});

test('a constant added to the module is named', () => {
  expect(refusal(exportsWith({ with: { MUTANT_REAP_TWICE: 11 } }))).toBe(
    'the model fake.wasm does not match this host: it exports MUTANT_REAP_TWICE, which the host does not know (add it to MUTANTS in src/engines/model/codes.ts)',
  );
  expect(refusal(exportsWith({ with: { DESIGN_SIGNALFD: 3, STATE_FROZEN: 5 } }))).toBe(
    'the model fake.wasm does not match this host: ' +
    'it exports DESIGN_SIGNALFD, which the host does not know (add it to DESIGNS in src/scenario/types.ts); ' +
    'it exports STATE_FROZEN, which the host does not know (add it to STATES in src/engines/model/codes.ts)',
  );
});

test('two names with one number, a number no table can index, and a table size of its own are named', () => {
  expect(refusal(exportsWith({ with: { MUTANT_NO_TERM: 2 } }))).toMatch(/: MUTANT_NO_CHLD and MUTANT_NO_TERM are both 2$/);
  expect(refusal(exportsWith({ with: { STATE_GONE: -4 } }))).toMatch(/: STATE_GONE is -4, not a code 0\.\.63$/);
  expect(refusal(exportsWith({ with: { MAX_PROCESSES: 100 } }))).toMatch(/: MAX_PROCESSES is 100, where the host's MAX_PROCESSES is 4096$/);
});

test('an error the module has no words for is named', () => {
  expect(refusal(exportsWith({ with: { ERR_TOO_LATE: -8 } }))).toMatch(/: ERR_TOO_LATE has no words \(errorText\(-8\) is 0\)$/);
  expect(refusal(exportsWith({ without: ['errorText'] }))).toMatch(/: it lacks errorText\(\) or its memory, so its errors have no words$/);
});
