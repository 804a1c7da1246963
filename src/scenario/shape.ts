// The shape pass over a scenario file: the JSON value, field by field (its
// type, the values allowed, the defaults filled in), becomes a Scenario.
// Whether its steps are *possible* (a process that still exists, pause
// still there) is the rules pass's question (rules.ts): this pass looks at
// each field alone, never at what came before it.
//
// Every error names the file, the field as a dotted path (`steps[2].signal`)
// and the value seen, cut short and on one line.
import { PausekitError, printable } from '../errors.ts';
import {
  DISPOSITION_ACTIONS, EXEC_OUTCOMES, SIGNALS, SIGNAL_FORMS, signalByName, signalNumberProblem,
  type DispositionAction, type ExecOutcome, type Inherit, type InitConfig, type Scenario, type SignalName, type Step,
} from './types.ts';

/** The most steps a scenario may have: each is a round trip to the driver and an observation of every process. */
export const MAX_STEPS = 10_000;

/** How much of a wrong value an error message shows. */
const SHOWN_MAX = 60;

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const RESERVED_NAMES = new Set(['pause', 'outside', '__proto__']);

const TOP_FIELDS = ['version', 'description', 'pid1', 'init', 'inherit', 'steps'];
const INIT_FIELDS = ['name', 'exec', 'group', 'subreaper', 'expect', 'reaps', 'inherit'];
const INHERIT_FIELDS = ['ignored', 'blocked'];
const STEP_FIELDS: Record<Step['event'], string[]> = {
  spawn: ['event', 'name', 'parent', 'reaps'],
  exit: ['event', 'name', 'code'],
  signal: ['event', 'target', 'signal', 'from'],
  subreaper: ['event', 'name'],
  disposition: ['event', 'name', 'signal', 'action'],
};

/** What an error about one field carries besides its message. */
export interface FieldDetails {
  value?: unknown;
  /** Index of the step, if the field is in one. */
  step?: number;
  /** The static rule broken (rules.ts), as docs/scenario-format.md numbers them. */
  rule?: number | 'names';
}

/** Throws the error of one field of the file. */
export type Fail = (field: string, message: string, details?: FieldDetails) => never;

/** The Fail of a file: `FILE: FIELD: MESSAGE`, exit 2. */
export function failIn(file: string): Fail {
  return (field, message, details = {}) => {
    throw new PausekitError(`${printable(file)}: ${field}: ${message}`, { file, field, ...details });
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as an error message shows it: JSON (so a string is quoted and
 * escaped, on one line), cut short; a value nested too deep even for
 * JSON.stringify is shown by its shape.
 */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[[[...]]] (nested too deep to show)' : '{...} (nested too deep to show)';
  }
  return printable(text, SHOWN_MAX);
}

/** A field's key in a dotted path: as it is if it looks like a name, else quoted in brackets. */
export function fieldPath(parent: string | null, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === null ? key : `${parent}.${key}`;
  return `${parent ?? ''}[${show(key)}]`;
}

/** The whole file's value as a Scenario: the top level, "init", then every step. */
export function scenarioShape(raw: unknown, fail: Fail): Scenario {
  if (!isObject(raw)) fail('(top level)', 'expected an object', { value: raw });
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!TOP_FIELDS.includes(key)) fail(fieldPath(null, key), `unknown field (allowed: ${TOP_FIELDS.join(', ')})`, { value: key });
  }
  if (top.version !== 1) fail('version', `expected 1, got ${show(top.version)}`, { value: top.version });
  if (top.description !== undefined && typeof top.description !== 'string') {
    fail('description', `expected a string, got ${show(top.description)}`, { value: top.description });
  }
  if (top.pid1 !== undefined && typeof top.pid1 !== 'boolean') {
    fail('pid1', `expected true or false, got ${show(top.pid1)}`, { value: top.pid1 });
  }
  const init = top.init === undefined ? undefined : initShape(top.init, fail);
  const inherit = inheritOf(top, fail);
  if (!Array.isArray(top.steps)) fail('steps', `expected an array, got ${show(top.steps)}`, { value: top.steps });
  const rawSteps = top.steps as unknown[];
  if (rawSteps.length > MAX_STEPS) fail('steps', `${rawSteps.length} steps; a scenario may have at most ${MAX_STEPS}`, { value: rawSteps.length });

  const scenario: Scenario = { version: 1 } as Scenario;
  if (typeof top.description === 'string') scenario.description = top.description;
  scenario.pid1 = (top.pid1 as boolean | undefined) ?? true;
  if (init !== undefined) scenario.init = init;
  if (inherit !== undefined) scenario.inherit = inherit;
  scenario.steps = rawSteps.map((rawStep, index) => stepShape(rawStep, index, fail));
  return scenario;
}

/**
 * What pause is started with: "inherit", or in init mode "init.inherit"
 * (the same, in the place the init's options are); not both. undefined
 * when neither says anything.
 */
function inheritOf(top: Record<string, unknown>, fail: Fail): Inherit | undefined {
  const inner = isObject(top.init) ? top.init.inherit : undefined;
  if (top.inherit !== undefined && inner !== undefined) {
    fail('init.inherit', 'given twice: say what pause is started with in "inherit" or in "init.inherit", not both', { value: inner });
  }
  if (top.inherit !== undefined) return inheritShape(top.inherit, 'inherit', fail);
  return inner === undefined ? undefined : inheritShape(inner, 'init.inherit', fail);
}

/** The "inherit" object: two lists of signals, each once, none SIGKILL or SIGSTOP; sorted by number. */
function inheritShape(raw: unknown, at: string, fail: Fail): Inherit {
  if (!isObject(raw)) return fail(at, `expected an object like {"ignored": ["SIGHUP"], "blocked": []}, got ${show(raw)}`, { value: raw });
  for (const key of Object.keys(raw)) {
    if (!INHERIT_FIELDS.includes(key)) fail(fieldPath(at, key), `unknown field (allowed: ${INHERIT_FIELDS.join(', ')})`, { value: key });
  }
  const list = (field: 'ignored' | 'blocked'): SignalName[] => {
    const value = raw[field] ?? [];
    if (!Array.isArray(value)) return fail(`${at}.${field}`, `expected an array of signals, got ${show(value)}`, { value });
    const seen = new Set<number>();
    value.forEach((item: unknown, i) => {
      const where = `${at}.${field}[${i}]`;
      const name = parseSignal(item, (message) => fail(where, message, { value: item }));
      if (name === 'SIGKILL' || name === 'SIGSTOP') fail(where, `${name} cannot be ${field} (nobody ignores or blocks SIGKILL and SIGSTOP)`, { value: item });
      if (seen.has(SIGNALS.indexOf(name))) fail(where, `${name} is listed twice`, { value: item });
      seen.add(SIGNALS.indexOf(name));
    });
    return [...seen].sort((a, b) => a - b).map((n) => SIGNALS[n] as SignalName);
  };
  return { ignored: list('ignored'), blocked: list('blocked') };
}

/** A process name as a spawn (or the init program) gives it: 1-32 characters, not a reserved one. */
function checkName(name: unknown, fail: (message: string) => never): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || RESERVED_NAMES.has(name)) {
    fail(`invalid process name ${show(name)} (1-32 of A-Z a-z 0-9 _ . -, ` +
      'starting with a letter or _, not "pause", "outside" or "__proto__")');
  }
  return name as string;
}

/** The "init" object: every field checked, defaults filled in. */
function initShape(raw: unknown, fail: Fail): InitConfig {
  if (!isObject(raw)) return fail('init', `expected an object, got ${show(raw)}`, { value: raw });
  for (const key of Object.keys(raw)) {
    if (!INIT_FIELDS.includes(key)) fail(fieldPath('init', key), `unknown field (allowed: ${INIT_FIELDS.join(', ')})`, { value: key });
  }
  const name = checkName(raw.name, (message) => fail('init.name', message, { value: raw.name }));
  const exec = raw.exec ?? 'ok';
  if (typeof exec !== 'string' || !(EXEC_OUTCOMES as readonly string[]).includes(exec)) {
    fail('init.exec', `expected one of ${EXEC_OUTCOMES.join(', ')}, got ${show(raw.exec)}`, { value: raw.exec });
  }
  const flag = (field: 'group' | 'subreaper' | 'reaps', fallback: boolean): boolean => {
    const value = raw[field];
    if (value !== undefined && typeof value !== 'boolean') fail(`init.${field}`, `expected true or false, got ${show(value)}`, { value });
    return (value as boolean | undefined) ?? fallback;
  };
  const expect = raw.expect ?? [];
  if (!Array.isArray(expect)) return fail('init.expect', `expected an array of exit codes, got ${show(raw.expect)}`, { value: raw.expect });
  expect.forEach((code: unknown, i) => {
    if (!isExitCode(code)) fail(`init.expect[${i}]`, `expected an integer exit code 0..255, got ${show(code)}`, { value: code });
  });
  return {
    name,
    exec: exec as ExecOutcome,
    group: flag('group', false),
    subreaper: flag('subreaper', false),
    expect: expect as number[],
    reaps: flag('reaps', true),
  };
}

function isExitCode(code: unknown): code is number {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 255;
}

/** One step: its event, only that event's fields, each of the right type; defaults filled in. */
function stepShape(raw: unknown, index: number, fail: Fail): Step {
  const at = `steps[${index}]`;
  const stepFail = (field: string | null, message: string, value: unknown): never =>
    fail(field === null ? at : fieldPath(at, field), message, { value, step: index });
  if (!isObject(raw)) stepFail(null, 'expected an object', raw);
  const s = raw as Record<string, unknown>;
  const event = s.event;
  if (typeof event !== 'string' || !Object.hasOwn(STEP_FIELDS, event)) {
    stepFail('event', `unknown event ${show(event)} (allowed: ${Object.keys(STEP_FIELDS).join(', ')})`, event);
  }
  const allowed = STEP_FIELDS[event as Step['event']];
  for (const key of Object.keys(s)) {
    if (!allowed.includes(key)) stepFail(key, `unknown field for ${/^[aeiou]/.test(event as string) ? 'an' : 'a'} ${event} step (allowed: ${allowed.join(', ')})`, key);
  }
  /** A field naming a process (or "outside", where `outside` allows it, and the default). */
  const processName = (field: string, outside: boolean): string => {
    const name = s[field];
    if (outside && (name === undefined || name === 'outside')) return 'outside';
    return typeof name === 'string' ? name : stepFail(field, `expected a process name, got ${show(name)}`, name);
  };
  const signal = (): SignalName => parseSignal(s.signal, (message) => stepFail('signal', message, s.signal));

  switch (event as Step['event']) {
    case 'spawn': {
      const name = checkName(s.name, (message) => stepFail('name', message, s.name));
      const parent = processName('parent', true);
      if (s.reaps !== undefined && typeof s.reaps !== 'boolean') stepFail('reaps', `expected true or false, got ${show(s.reaps)}`, s.reaps);
      return { event: 'spawn', name, parent, reaps: (s.reaps as boolean | undefined) ?? true };
    }
    case 'exit': {
      const name = processName('name', false);
      if (!isExitCode(s.code)) stepFail('code', `expected an integer exit code 0..255, got ${show(s.code)}`, s.code);
      return { event: 'exit', name, code: s.code as number };
    }
    case 'subreaper':
      return { event: 'subreaper', name: processName('name', false) };
    case 'disposition': {
      const name = processName('name', false);
      const sig = signal();
      const action = s.action;
      if (typeof action !== 'string' || !(DISPOSITION_ACTIONS as readonly string[]).includes(action)) {
        stepFail('action', `expected one of ${DISPOSITION_ACTIONS.join(', ')}, got ${show(action)}`, action);
      }
      return { event: 'disposition', name, signal: sig, action: action as DispositionAction };
    }
    case 'signal': {
      const sig = signal();
      const from = processName('from', true);
      if (s.target === 'outside') stepFail('target', 'cannot signal "outside" (the runner itself)', s.target);
      const target = s.target === 'pause' ? 'pause' : processName('target', false);
      return { event: 'signal', target, signal: sig, from };
    }
  }
}

/**
 * A signal given by name ("SIGTERM", "SIGRTMIN+3", "SIGRTMAX-1") or number
 * (1..64 but the C library's 32 and 33), as its SIGNALS name.
 */
function parseSignal(value: unknown, fail: (message: string) => never): SignalName {
  if (typeof value === 'number') {
    const problem = signalNumberProblem(value);
    return problem === undefined ? SIGNALS[value] as SignalName : fail(problem);
  }
  if (typeof value !== 'string') return fail(`expected a signal name or number, got ${show(value)}`);
  const n = signalByName(value);
  return n === undefined ? fail(`unknown signal ${show(value)} (use ${SIGNAL_FORMS})`) : SIGNALS[n] as SignalName;
}
