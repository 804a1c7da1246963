// The model's numeric interface, read from the module itself. asm/index.ts
// exports each group of codes as constants with one prefix (MUTANT_*,
// DESIGN_*, EXEC_*, ACTION_*, STATE_*, PHASE_*, EVENT_*, RULE_*, SLOT_*, ERR_*) and words each
// error with errorText(); readCodes() enumerates every group when the module
// loads and holds it to the names this host knows, so no number and no
// error text is copied here, and a constant added to or missing from the
// module fails the load with a message naming it.
//
// The names are the one list the rest of src/ uses: MUTANTS and its two
// halves, the pause phases, the process states.
import { PausekitError, printable } from '../../errors.ts';
import { DESIGNS, DISPOSITION_ACTIONS, EXEC_OUTCOMES } from '../../scenario/types.ts';
import type { Design, DispositionAction, ExecOutcome, ProcessState } from '../../scenario/types.ts';

const REFERENCE = ['REAP_ONCE', 'NO_CHLD', 'NO_TERM', 'WRONG_CODE', 'REAP_ECHILD'] as const;
const INIT = ['FORWARD_NOTHING', 'EXIT_ZERO', 'SIGNAL_AS_CODE', 'FORWARD_CHLD', 'EXIT_EARLY'] as const;

/** The catalogued bugs, named as the MUTANT_* macros of native/pause.c (and the model's exports). */
export type Mutant = (typeof REFERENCE)[number] | (typeof INIT)[number];
/** The bugs of pause's reference mode (no program). */
export const REFERENCE_MUTANTS: readonly Mutant[] = REFERENCE;
/** The bugs of init mode (pause -- PROGRAM). */
export const INIT_MUTANTS: readonly Mutant[] = INIT;
export const MUTANTS: readonly Mutant[] = [...REFERENCE, ...INIT];

/**
 * Where a bug shows for a design: init mode's in init mode, the reference
 * mode's in the reference mode, except the waitpid drain's (REAP_ONCE,
 * REAP_ECHILD) in the autoreap design, whose reference mode lets the kernel
 * reap and never calls waitpid: they show in its init mode, which reaps as
 * the sigwait design does.
 */
export function mutantMode(mutant: Mutant, design: Design): 'init' | 'reference' {
  if (INIT_MUTANTS.includes(mutant)) return 'init';
  return design === 'autoreap' && (mutant === 'REAP_ONCE' || mutant === 'REAP_ECHILD') ? 'init' : 'reference';
}

const PHASES = ['WAITING', 'REAPING', 'SHUTTING_DOWN', 'FORWARDING', 'EXITED'] as const;
/** pause's state as in pause.c. */
export type PausePhase = (typeof PHASES)[number];
/** Every state of pause, as pause.c names them. */
export const PAUSE_PHASES: readonly PausePhase[] = PHASES;

const EVENTS = ['SHUTDOWN', 'CHILD', 'FORWARD'] as const;
/** pause's events as in pause.c (EVENT_SHUTDOWN...), without the prefix. */
export type PauseEvent = (typeof EVENTS)[number];
/** Every event of pause. */
export const PAUSE_EVENTS: readonly PauseEvent[] = EVENTS;

const RULES = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7', 'K8', 'K9', 'K10', 'K11', 'K12', 'K13', 'K14', 'K15', 'K16'] as const;
/** The kernel rules of docs/model.md, by their numbers there. */
export type KernelRule = (typeof RULES)[number];
/** Every kernel rule the model counts (kernel/coverage.ts). */
export const KERNEL_RULES: readonly KernelRule[] = RULES;

// The states processState() returns for a named process or pause.
const STATES = ['running', 'stopped', 'zombie', 'gone'] as const satisfies readonly ProcessState[];
// The fixed slots: outside (the runner), pause, and the first named process.
const SLOTS = ['OUTSIDE', 'PAUSE', 'FIRST_NAMED'] as const;

/**
 * The model's table holds this many named processes. A constant for
 * callers that size a scenario before any module is loaded; readCodes()
 * holds it to the module's MAX_PROCESSES.
 */
export const MAX_PROCESSES = 4096;

/**
 * The code of a name in one of the tables below (a design, a mutant...),
 * or a PausekitError naming what is unknown and what is known: the names
 * may come from JavaScript callers that no compiler checked.
 */
export function codeOf<N extends string>(
  table: Readonly<Record<N, number>>, name: N, what: string, names: readonly string[], field = what,
): number {
  if (typeof name === 'string' && Object.hasOwn(table, name)) return table[name];
  throw new PausekitError(`unknown ${what} '${printable(String(name), 40)}' (one of ${names.join(', ')})`, { field, value: name });
}

/** The model's codes, as one loaded module numbers them. */
export interface ModelCodes {
  /** Each bug's number; NONE: the real pause. */
  readonly mutant: Readonly<Record<Mutant | 'NONE', number>>;
  readonly design: Readonly<Record<Design, number>>;
  readonly exec: Readonly<Record<ExecOutcome, number>>;
  readonly action: Readonly<Record<DispositionAction, number>>;
  readonly state: Readonly<Record<(typeof STATES)[number], number>>;
  /** A process state by its number (processState()'s result). */
  readonly stateNamed: readonly (ProcessState | undefined)[];
  /** A pause phase by its number (pausePhase()'s result). */
  readonly phaseNamed: readonly (PausePhase | undefined)[];
  readonly phase: Readonly<Record<PausePhase, number>>;
  readonly event: Readonly<Record<PauseEvent, number>>;
  /** Each rule's number, for ruleCount(). */
  readonly rule: Readonly<Record<KernelRule, number>>;
  readonly slot: Readonly<Record<(typeof SLOTS)[number], number>>;
  /** settle()'s result when pause never blocks. */
  readonly livelock: number;
  /** The words of each error result (ERR_*), by its number. */
  readonly errorText: ReadonlyMap<number, string>;
}

// A group's codes may index an array: small non-negative integers.
const MAX_INDEX = 64;

/**
 * The codes of a module, from its exports (an instance's, before or after
 * _initialize()). Every group must hold exactly the names this host knows;
 * `file` names the module in the error that says which do not.
 */
export function readCodes(exports: Readonly<Record<string, unknown>>, file: string): ModelCodes {
  const problems: string[] = [];
  const group = <N extends string>(prefix: string, names: readonly N[], where: string) =>
    readGroup(exports, prefix, names, where, problems);
  const mutant = group('MUTANT_', ['NONE', ...MUTANTS], 'MUTANTS in src/engines/model/codes.ts');
  const design = group('DESIGN_', DESIGNS, 'DESIGNS in src/scenario/types.ts');
  const exec = group('EXEC_', EXEC_OUTCOMES, 'EXEC_OUTCOMES in src/scenario/types.ts');
  const action = group('ACTION_', DISPOSITION_ACTIONS, 'DISPOSITION_ACTIONS in src/scenario/types.ts');
  const state = group('STATE_', STATES, 'STATES in src/engines/model/codes.ts');
  const phase = group('PHASE_', PHASES, 'PHASES in src/engines/model/codes.ts');
  const event = group('EVENT_', EVENTS, 'EVENTS in src/engines/model/codes.ts');
  const rule = group('RULE_', RULES, 'RULES in src/engines/model/codes.ts');
  const slot = group('SLOT_', SLOTS, 'SLOTS in src/engines/model/codes.ts');
  const livelock = single(exports, 'LIVELOCK', problems);
  const maxProcesses = single(exports, 'MAX_PROCESSES', problems);
  if (maxProcesses !== undefined && maxProcesses !== MAX_PROCESSES) {
    problems.push(`MAX_PROCESSES is ${maxProcesses}, where the host's MAX_PROCESSES is ${MAX_PROCESSES}`);
  }
  const errorText = errorTexts(exports, problems);
  if (problems.length > 0) {
    throw new PausekitError(`the model ${file} does not match this host: ${problems.join('; ')}`, { file, kind: 'interface', problems });
  }
  return {
    mutant, design, exec, action, state, slot, errorText, livelock: livelock!, phase, event, rule,
    stateNamed: byNumber(state), phaseNamed: byNumber(phase),
  };
}

// The export a name stands for in its group: 'not-executable' is
// EXEC_NOT_EXECUTABLE.
function exportName(prefix: string, name: string): string {
  return prefix + name.toUpperCase().replaceAll('-', '_');
}

// A constant's value: an exported global's; undefined if there is none or
// the export is something else.
function constant(exports: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = exports[name];
  return value instanceof WebAssembly.Global ? (value.value as number) : undefined;
}

// One group: the value of each name the host knows, and a problem for each
// one the module lacks, each constant of the prefix the host does not know,
// and each number two names share or that is no small index.
function readGroup<N extends string>(
  exports: Readonly<Record<string, unknown>>, prefix: string, names: readonly N[], where: string, problems: string[],
): Record<N, number> {
  const values = {} as Record<N, number>;
  const known = new Set<string>();
  const owner = new Map<number, string>();
  for (const name of names) {
    const key = exportName(prefix, name);
    known.add(key);
    const value = constant(exports, key);
    if (value === undefined) {
      problems.push(`it lacks the constant ${key} (the host's '${name}', ${where})`);
      continue;
    }
    if (!Number.isInteger(value) || value < 0 || value >= MAX_INDEX) problems.push(`${key} is ${value}, not a code 0..${MAX_INDEX - 1}`);
    const other = owner.get(value);
    if (other !== undefined) problems.push(`${other} and ${key} are both ${value}`);
    owner.set(value, key);
    values[name] = value;
  }
  for (const key of Object.keys(exports)) {
    if (key.startsWith(prefix) && !known.has(key)) problems.push(`it exports ${key}, which the host does not know (add it to ${where})`);
  }
  return values;
}

// A constant outside the groups, which must be there.
function single(exports: Readonly<Record<string, unknown>>, name: string, problems: string[]): number | undefined {
  const value = constant(exports, name);
  if (value === undefined) problems.push(`it lacks the constant ${name}`);
  return value;
}

// Every ERR_* code with its words from errorText(): a pointer to a UTF-16
// string in the module's memory, its byte length in the 4 bytes before it.
function errorTexts(exports: Readonly<Record<string, unknown>>, problems: string[]): Map<number, string> {
  const texts = new Map<number, string>();
  const errorText = exports['errorText'];
  const memory = exports['memory'];
  if (typeof errorText !== 'function' || !(memory instanceof WebAssembly.Memory)) {
    problems.push('it lacks errorText() or its memory, so its errors have no words');
    return texts;
  }
  for (const key of Object.keys(exports).filter((k) => k.startsWith('ERR_'))) {
    const code = constant(exports, key);
    const pointer = code === undefined ? 0 : (errorText as (code: number) => number)(code) >>> 0;
    if (code === undefined || pointer < 4 || pointer > memory.buffer.byteLength) {
      problems.push(`${key} has no words (errorText(${code}) is ${code === undefined ? 'not called' : pointer})`);
      continue;
    }
    const bytes = new DataView(memory.buffer).getUint32(pointer - 4, true);
    if (pointer + bytes > memory.buffer.byteLength) {
      problems.push(`${key}'s words run past the module's memory (${bytes} bytes at ${pointer})`);
    } else if (texts.has(code)) {
      problems.push(`${key} is ${code}, as another ERR_ constant is`);
    } else {
      texts.set(code, Buffer.from(memory.buffer, pointer, bytes).toString('utf16le'));
    }
  }
  return texts;
}

// The names of a group as an array indexed by their numbers.
function byNumber<N extends string>(values: Record<N, number>): (N | undefined)[] {
  const names: (N | undefined)[] = [];
  for (const [name, value] of Object.entries(values) as [N, number][]) names[value] = name;
  return names;
}
