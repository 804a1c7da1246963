// Scenario files: parse, validate, print. Every engine runs only scenarios
// that passed parseScenario, so the rules below are the whole contract of
// what a scenario may say (the format itself is in src/scenario/types.ts).
//
// Besides the shape of each field, a scenario must be *possible*: a step may
// only use a process that still exists and can act. These rules are static
// and conservative: when a step might have ended a process (or pause), later
// steps may not rely on it, whatever the signal design or a mutant does.
//
//   S1  Names are 1-32 characters of [A-Za-z0-9_.-] starting with a letter
//       or "_", not "pause", "outside" or "__proto__" (a key no JavaScript
//       object can hold as its own by assignment: observations would lose
//       it), and used by one spawn (or the init program) only.
//   S2  A process *acts* when it forks (spawn parent), exits, becomes a
//       subreaper, changes a disposition or sends a signal (from). Only a
//       running process acts: not one that is stopped, and not one that
//       has ended.
//   S3  A signal's target must not have ended (a stopped target is fine).
//   S4  A process has ended once it exited, or after a signal that may kill
//       it: SIGKILL always; any other signal whose default action
//       terminates, at once if the process runs, else when SIGCONT comes (a
//       stopped process keeps it pending: measured on Linux 6.x, for SIGTERM
//       and SIGHUP too, not only for core-dumping signals), unless the
//       process catches or ignores it; a blocked one stays pending and may
//       kill when its disposition goes back to default. SIGSTOP stops it,
//       SIGCONT resumes it, SIGCHLD/SIGURG/SIGWINCH change nothing.
//   S5  pause may have ended after a signal to it that it takes as
//       shutdown (SIGINT, SIGTERM; in init mode none), SIGKILL from outside,
//       and, as a plain process (pid1: false), any signal whose default
//       action terminates; in init mode also once the program may have
//       ended (pause exits with its status). As PID 1 its end takes the
//       whole namespace along, so from then on the only step allowed is
//       another signal to pause from outside.
//   S6  SIGTSTP, SIGTTIN and SIGTTOU are rejected: what they do depends on
//       orphaned-process-group rules, which are out of scope.
//   S7  SIGKILL and SIGSTOP have no disposition to change; a process that
//       reaps its children (reaps: true) takes SIGCHLD itself, so only one
//       with reaps: false may change SIGCHLD's.
//   S8  Init mode: a signal pause forwards reaches the program (with
//       "group", every process in its group) and acts there as S4 says. A
//       pause that may be stopped takes only SIGCONT, SIGKILL and SIGSTOP:
//       once continued it would forward everything it collected in one
//       burst, and how the program takes a burst (a handler run between two
//       signals or not) is up to the scheduler.
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PausekitError, checkArgument, isRecord, printable } from '../errors.ts';
import {
  DISPOSITION_ACTIONS, EXEC_OUTCOMES, SIGNALS,
  type DispositionAction, type ExecOutcome, type InitConfig, type Scenario, type ScenarioInput, type SignalName, type Step,
} from './types.ts';

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const RESERVED_NAMES = new Set(['pause', 'outside', '__proto__']);
/** The driver tracks at most 511 named processes; keep well inside. */
export const MAX_SCENARIO_PROCESSES = 500;
/** The most steps a scenario may have: each is a round trip to the driver and an observation of every process. */
export const MAX_STEPS = 10_000;
/** The biggest scenario file: 10^4 steps, written out one a line, fit in well under it. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

/** How much of a wrong value an error message shows. */
const SHOWN_MAX = 60;

const TOP_FIELDS = ['version', 'description', 'pid1', 'init', 'steps'];
const INIT_FIELDS = ['name', 'exec', 'group', 'subreaper', 'expect', 'reaps'];
const STEP_FIELDS: Record<Step['event'], string[]> = {
  spawn: ['event', 'name', 'parent', 'reaps'],
  exit: ['event', 'name', 'code'],
  signal: ['event', 'target', 'signal', 'from'],
  subreaper: ['event', 'name'],
  disposition: ['event', 'name', 'signal', 'action'],
};

const REJECTED_SIGNALS = new Set<SignalName>(['SIGTSTP', 'SIGTTIN', 'SIGTTOU']);
/** Default action "ignore": nothing happens to a process with no handler. */
const IGNORED_SIGNALS = new Set<SignalName>(['SIGCHLD', 'SIGURG', 'SIGWINCH']);

/**
 * The signals pause forwards to the program in init mode (of 1..31):
 * everything it can catch but SIGCHLD and the synchronous faults.
 */
export const FORWARDED_SIGNALS: ReadonlySet<SignalName> = new Set<SignalName>([
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGCONT', 'SIGTSTP',
  'SIGWINCH', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGPWR', 'SIGSYS',
]);

/** The program's name when exec finds nothing (kernel engine: an empty PATH directory). */
export const MISSING_PROGRAM = 'pausekit-missing-program';
/** The program's name when exec finds a file it may not run (a 0644 file on PATH). */
export const NOT_EXECUTABLE_PROGRAM = 'pausekit-not-executable';

/** Does this signal's default action end a process (at once or after SIGCONT)? */
export function isFatalByDefault(signal: SignalName): boolean {
  return !IGNORED_SIGNALS.has(signal) && signal !== 'SIGSTOP' && signal !== 'SIGCONT';
}

/** The signal number of a name (x86-64). */
export function signalNumber(signal: SignalName): number {
  return SIGNALS.indexOf(signal);
}

type Liveness = 'running' | 'stopped' | 'stopped-doomed' | 'ended';

/** Reads one scenario text; `file` is only used in error messages. */
export function parseScenario(text: string, file = 'scenario'): Scenario {
  checkArgument(typeof text === 'string', 'parseScenario(text, file): text', "a scenario's JSON text", text);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SCENARIO_BYTES) {
    throw new PausekitError(`${printable(file)}: too big: ${bytes} bytes; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (4 MiB)`,
      { file, value: bytes, kind: 'limit' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith('\ufeff') ? text.slice(1) : text);
  } catch (error) {
    throw new PausekitError(`${printable(file)}: invalid JSON: ${printable(error instanceof Error ? error.message : String(error), 160)}`, { file });
  }
  return validate(raw, file);
}

/**
 * A scenario given as an object (a library caller's ScenarioInput, or a
 * Scenario): every field checked for its type and the defaults filled in,
 * as a file's are; `where` names it in errors. The static rules are not
 * applied: an engine plays what it is given (parseScenario and
 * loadScenario apply them to files).
 */
export function normalizeScenario(input: ScenarioInput, where = 'scenario'): Scenario {
  const fail = (field: string, message: string, value?: unknown, step?: number): never => {
    throw new PausekitError(`${printable(where)}: ${field}: ${message}`, { file: where, field, value, step });
  };
  if (!isObject(input)) return fail('(top level)', 'expected an object', input);
  const top = input as unknown as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!TOP_FIELDS.includes(key)) fail(fieldPath(null, key), `unknown field (allowed: ${TOP_FIELDS.join(', ')})`, key);
  }
  if (top.version !== 1) fail('version', `expected 1, got ${show(top.version)}`, top.version);
  if (top.description !== undefined && typeof top.description !== 'string') fail('description', `expected a string, got ${show(top.description)}`, top.description);
  if (top.pid1 !== undefined && typeof top.pid1 !== 'boolean') fail('pid1', `expected true or false, got ${show(top.pid1)}`, top.pid1);
  const init = top.init === undefined ? undefined : validateInit(top.init, fail);
  if (!Array.isArray(top.steps)) return fail('steps', `expected an array, got ${show(top.steps)}`, top.steps);
  if (top.steps.length > MAX_STEPS) fail('steps', `${top.steps.length} steps; a scenario may have at most ${MAX_STEPS}`, top.steps.length);
  const steps = top.steps.map((raw: unknown, index: number) =>
    stepShape(raw, `steps[${index}]`, (field, message, value) => fail(field, message, value, index)));
  return {
    version: 1,
    ...(typeof top.description === 'string' ? { description: top.description } : {}),
    pid1: (top.pid1 as boolean | undefined) ?? true,
    ...(init !== undefined ? { init } : {}),
    steps,
  };
}

/** One step's fields, typed, with the defaults filled in (normalizeScenario). */
function stepShape(raw: unknown, at: string, fail: (field: string, message: string, value?: unknown) => never): Step {
  if (!isObject(raw)) return fail(at, 'expected an object', raw);
  const event = raw.event;
  if (typeof event !== 'string' || !Object.hasOwn(STEP_FIELDS, event)) {
    return fail(fieldPath(at, 'event'), `unknown event ${show(event)} (allowed: ${Object.keys(STEP_FIELDS).join(', ')})`, event);
  }
  const allowed = STEP_FIELDS[event as Step['event']];
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) fail(fieldPath(at, key), `unknown field for a ${event} step (allowed: ${allowed.join(', ')})`, key);
  }
  const name = (field: string): string => {
    const value = raw[field];
    return typeof value === 'string' ? value : fail(fieldPath(at, field), `expected a process name, got ${show(value)}`, value);
  };
  const outsideOr = (field: string): string => (raw[field] === undefined ? 'outside' : name(field));
  const signal = (): SignalName => parseSignal(raw.signal, (message) => fail(fieldPath(at, 'signal'), message, raw.signal));
  switch (event as Step['event']) {
    case 'spawn': {
      if (raw.reaps !== undefined && typeof raw.reaps !== 'boolean') fail(fieldPath(at, 'reaps'), `expected true or false, got ${show(raw.reaps)}`, raw.reaps);
      return { event: 'spawn', name: name('name'), parent: outsideOr('parent'), reaps: (raw.reaps as boolean | undefined) ?? true };
    }
    case 'exit': {
      const code = raw.code;
      if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
        fail(fieldPath(at, 'code'), `expected an integer exit code 0..255, got ${show(code)}`, code);
      }
      return { event: 'exit', name: name('name'), code: code as number };
    }
    case 'signal':
      return { event: 'signal', target: name('target'), signal: signal(), from: outsideOr('from') };
    case 'subreaper':
      return { event: 'subreaper', name: name('name') };
    case 'disposition': {
      const action = raw.action;
      if (typeof action !== 'string' || !(DISPOSITION_ACTIONS as readonly string[]).includes(action)) {
        fail(fieldPath(at, 'action'), `expected one of ${DISPOSITION_ACTIONS.join(', ')}, got ${show(action)}`, action);
      }
      return { event: 'disposition', name: name('name'), signal: signal(), action: action as DispositionAction };
    }
  }
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  checkArgument(typeof file === 'string', 'loadScenario(file): file', "a scenario file's path", file);
  return parseScenario(readScenarioFile(file), file);
}

/**
 * The file's text; a clear error if it cannot be read, is bigger than
 * MAX_SCENARIO_BYTES (read no further: a pipe or /dev/zero never ends) or
 * is not UTF-8. A UTF-8 byte order mark is dropped.
 */
function readScenarioFile(file: string): string {
  const where = printable(file);
  const cannotRead = (error: unknown): PausekitError => {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return new PausekitError(`${where}: cannot read the scenario (${code})`, { file, value: code });
  };
  const tooBig = (size: string): PausekitError => new PausekitError(
    `${where}: too big: ${size} bytes; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (4 MiB)`,
    { file, value: size, kind: 'limit' });
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw cannotRead(error);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > MAX_SCENARIO_BYTES) throw tooBig(String(stat.size));
    const chunk = Buffer.alloc(1 << 16);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      total += n;
      if (total > MAX_SCENARIO_BYTES) throw tooBig(`more than ${MAX_SCENARIO_BYTES}`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
  } catch (error) {
    throw error instanceof PausekitError ? error : cannotRead(error);
  } finally {
    closeSync(fd);
  }
  const bytes = Buffer.concat(chunks, total);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw new PausekitError(
      `${where}: not UTF-8 text: byte ${at} (line ${line}) is 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}; save the scenario as UTF-8`,
      { file, value: at });
  }
  const text = bytes.toString('utf8');
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

/** The offset of the first byte that does not begin a valid UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes 0x80..0xbf; the second one is narrower after
    // E0 and F0 (no overlong forms), ED (no surrogates) and F4 (<= U+10FFFF).
    const more = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= more; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as an error message shows it: JSON (so a string is quoted and
 * escaped, on one line), cut short; a value nested too deep even for
 * JSON.stringify is shown by its shape.
 */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[[[...]]] (nested too deep to show)' : '{...} (nested too deep to show)';
  }
  return printable(text, SHOWN_MAX);
}

/** A field's key in a dotted path: as it is if it looks like a name, else quoted in brackets. */
function fieldPath(parent: string | null, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === null ? key : `${parent}.${key}`;
  return `${parent ?? ''}[${show(key)}]`;
}

/** What the validator knows of one named process. */
interface Known {
  liveness: Liveness;
  reaps: boolean;
  /** In the init program's process group (init mode's "group"). */
  inGroup: boolean;
  /** Signals with a handler or SIG_IGN (else the default action). */
  caught: Set<SignalName>;
  ignored: Set<SignalName>;
  blocked: Set<SignalName>;
  /** Blocked signals that may be pending. */
  pending: Set<SignalName>;
}

function newKnown(liveness: Liveness, reaps: boolean, inGroup: boolean): Known {
  return { liveness, reaps, inGroup, caught: new Set(), ignored: new Set(), blocked: new Set(), pending: new Set() };
}

function validate(raw: unknown, file: string): Scenario {
  const fail = (field: string, message: string, value?: unknown, step?: number): never => {
    throw new PausekitError(`${printable(file)}: ${field}: ${message}`, { file, field, value, step });
  };

  if (!isObject(raw)) fail('(top level)', 'expected an object', raw);
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!TOP_FIELDS.includes(key)) fail(fieldPath(null, key), `unknown field (allowed: ${TOP_FIELDS.join(', ')})`, key);
  }
  if (top.version !== 1) fail('version', `expected 1, got ${show(top.version)}`, top.version);
  if (top.description !== undefined && typeof top.description !== 'string') {
    fail('description', `expected a string, got ${show(top.description)}`, top.description);
  }
  if (top.pid1 !== undefined && typeof top.pid1 !== 'boolean') {
    fail('pid1', `expected true or false, got ${show(top.pid1)}`, top.pid1);
  }
  const init = top.init === undefined ? undefined : validateInit(top.init, fail);
  if (!Array.isArray(top.steps)) fail('steps', `expected an array, got ${show(top.steps)}`, top.steps);
  const rawSteps = top.steps as unknown[];
  if (rawSteps.length > MAX_STEPS) fail('steps', `${rawSteps.length} steps; a scenario may have at most ${MAX_STEPS}`, rawSteps.length);

  const scenario: Scenario = { version: 1 } as Scenario;
  if (typeof top.description === 'string') scenario.description = top.description;
  scenario.pid1 = (top.pid1 as boolean | undefined) ?? true;
  if (init !== undefined) scenario.init = init;
  scenario.steps = [];

  const known = new Map<string, Known>();
  let pauseMayHaveEnded = false;
  let pauseMayBeStopped = false;
  if (init !== undefined) {
    known.set(init.name, newKnown(init.exec === 'ok' ? 'running' : 'ended', init.reaps, true));
    if (init.exec !== 'ok') pauseMayHaveEnded = true;
  }

  rawSteps.forEach((rawStep, index) => {
    const at = `steps[${index}]`;
    const stepFail = (field: string | null, message: string, value?: unknown): never =>
      fail(field === null ? at : fieldPath(at, field), message, value, index);

    if (!isObject(rawStep)) stepFail(null, 'expected an object', rawStep);
    const s = rawStep as Record<string, unknown>;
    const event = s.event;
    if (typeof event !== 'string' || !(event in STEP_FIELDS)) {
      stepFail('event', `unknown event ${show(event)} (allowed: ${Object.keys(STEP_FIELDS).join(', ')})`, event);
    }
    const allowed = STEP_FIELDS[event as Step['event']];
    for (const key of Object.keys(s)) {
      if (!allowed.includes(key)) stepFail(key, `unknown field for a ${event} step (allowed: ${allowed.join(', ')})`, key);
    }

    // S5: after pause (as PID 1) may have ended, only outside may signal pause.
    const onlyPauseSignals = scenario.pid1 && pauseMayHaveEnded;
    const endedPause = (field: string, value: unknown): never =>
      stepFail(field, `pause may already have ended this namespace (${init ? 'its program may have ended, or ' : ''}by an earlier signal); ` +
        'after that only signals from "outside" to "pause" are allowed', value);

    /** A named process that exists (S3); `act` also requires it to be running (S2). */
    const named = (field: string, act: boolean): string => {
      const name = s[field];
      if (typeof name !== 'string') return stepFail(field, `expected a process name, got ${show(name)}`, name);
      const process = known.get(name);
      if (process === undefined) {
        return stepFail(field, `unknown process ${show(name)} (not spawned by an earlier step${init ? ' nor the init program' : ''})`, name);
      }
      if (onlyPauseSignals) endedPause(field, name);
      if (process.liveness === 'ended') return stepFail(field, `process "${name}" no longer exists (it exited or was killed earlier)`, name);
      if (act && process.liveness !== 'running') return stepFail(field, `process "${name}" is stopped and cannot act`, name);
      return name;
    };

    switch (event as Step['event']) {
      case 'spawn': {
        const name = s.name;
        checkName(name, (message) => stepFail('name', message, name));
        if (known.has(name as string)) {
          stepFail('name', `process name "${name}" is already used by an earlier spawn${init?.name === name ? ' (the init program)' : ''}`, name);
        }
        if (known.size >= MAX_SCENARIO_PROCESSES) {
          stepFail('name', `one process too many: a scenario may spawn at most ${MAX_SCENARIO_PROCESSES} processes`, name);
        }
        let parent = 'outside';
        if (s.parent !== undefined && s.parent !== 'outside') parent = named('parent', true);
        if (onlyPauseSignals) endedPause('parent', parent);
        if (s.reaps !== undefined && typeof s.reaps !== 'boolean') {
          stepFail('reaps', `expected true or false, got ${show(s.reaps)}`, s.reaps);
        }
        const reaps = (s.reaps as boolean | undefined) ?? true;
        known.set(name as string, newKnown('running', reaps, parent !== 'outside' && known.get(parent)!.inGroup));
        scenario.steps.push({ event: 'spawn', name: name as string, parent, reaps });
        break;
      }
      case 'exit': {
        const name = named('name', true);
        const code = s.code;
        if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
          stepFail('code', `expected an integer exit code 0..255, got ${show(code)}`, code);
        }
        known.get(name)!.liveness = 'ended';
        scenario.steps.push({ event: 'exit', name, code: code as number });
        break;
      }
      case 'subreaper': {
        const name = named('name', true);
        scenario.steps.push({ event: 'subreaper', name });
        break;
      }
      case 'disposition': {
        const name = named('name', true);
        const signal = parseSignal(s.signal, (message) => stepFail('signal', message, s.signal));
        if (signal === 'SIGKILL' || signal === 'SIGSTOP') {
          stepFail('signal', `${signal} cannot be caught, blocked or ignored`, s.signal);
        }
        const process = known.get(name)!;
        if (signal === 'SIGCHLD' && process.reaps) {
          stepFail('signal', `"${name}" reaps its children, so it takes SIGCHLD itself; give it "reaps": false to change SIGCHLD's disposition`, s.signal);
        }
        const action = s.action;
        if (typeof action !== 'string' || !(DISPOSITION_ACTIONS as readonly string[]).includes(action)) {
          stepFail('action', `expected one of ${DISPOSITION_ACTIONS.join(', ')}, got ${show(action)}`, action);
        }
        setDisposition(process, signal, action as DispositionAction);
        scenario.steps.push({ event: 'disposition', name, signal, action: action as DispositionAction });
        break;
      }
      case 'signal': {
        const signal = parseSignal(s.signal, (message) => stepFail('signal', message, s.signal));
        let from = 'outside';
        if (s.from !== undefined && s.from !== 'outside') from = named('from', true);
        let target: string;
        if (s.target === 'pause') {
          target = 'pause';
          if (onlyPauseSignals && from !== 'outside') endedPause('from', from);
          if (init !== undefined && pauseMayBeStopped && signal !== 'SIGCONT' && signal !== 'SIGKILL' && signal !== 'SIGSTOP') {
            stepFail('signal', `pause may be stopped (SIGSTOP earlier): it takes only SIGCONT, SIGKILL or SIGSTOP until continued ` +
              '(a continued pause forwards what it collected in one burst, whose effect on the program depends on the scheduler)', signal);
          }
          const shutdown = init === undefined && (signal === 'SIGINT' || signal === 'SIGTERM');
          if (shutdown || (signal === 'SIGKILL' && from === 'outside') || (!scenario.pid1 && isFatalByDefault(signal))) {
            pauseMayHaveEnded = true;
          }
          if (signal === 'SIGSTOP') pauseMayBeStopped = true;
          if (signal === 'SIGCONT') pauseMayBeStopped = false;
          if (init !== undefined && FORWARDED_SIGNALS.has(signal)) {
            // S8: the program (or its whole group) may get it.
            for (const [name, process] of known) {
              if (init.group ? process.inGroup : name === init.name) receive(process, signal);
            }
          }
        } else {
          if (s.target === 'outside') stepFail('target', 'cannot signal "outside" (the runner itself)', s.target);
          target = named('target', false);
          receive(known.get(target)!, signal);
        }
        scenario.steps.push({ event: 'signal', target, signal, from });
        break;
      }
    }
    // S5: pause exits once its program has ended.
    if (init !== undefined && known.get(init.name)!.liveness === 'ended') pauseMayHaveEnded = true;
  });
  return scenario;
}

/** S1 for a name. */
function checkName(name: unknown, fail: (message: string) => never): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || RESERVED_NAMES.has(name)) {
    fail(`invalid process name ${show(name)} (1-32 of A-Z a-z 0-9 _ . -, ` +
      'starting with a letter or _, not "pause", "outside" or "__proto__")');
  }
}

/** The "init" object: every field checked, defaults filled in. */
function validateInit(raw: unknown, fail: (field: string, message: string, value?: unknown) => never): InitConfig {
  if (!isObject(raw)) return fail('init', `expected an object, got ${show(raw)}`, raw);
  for (const key of Object.keys(raw)) {
    if (!INIT_FIELDS.includes(key)) fail(fieldPath('init', key), `unknown field (allowed: ${INIT_FIELDS.join(', ')})`, key);
  }
  checkName(raw.name, (message) => fail('init.name', message, raw.name));
  const exec = raw.exec ?? 'ok';
  if (typeof exec !== 'string' || !(EXEC_OUTCOMES as readonly string[]).includes(exec)) {
    fail('init.exec', `expected one of ${EXEC_OUTCOMES.join(', ')}, got ${show(raw.exec)}`, raw.exec);
  }
  const flag = (field: 'group' | 'subreaper' | 'reaps', fallback: boolean): boolean => {
    const value = raw[field];
    if (value !== undefined && typeof value !== 'boolean') fail(`init.${field}`, `expected true or false, got ${show(value)}`, value);
    return (value as boolean | undefined) ?? fallback;
  };
  const expect = raw.expect ?? [];
  if (!Array.isArray(expect)) return fail('init.expect', `expected an array of exit codes, got ${show(raw.expect)}`, raw.expect);
  expect.forEach((code: unknown, i) => {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
      fail(`init.expect[${i}]`, `expected an integer exit code 0..255, got ${show(code)}`, code);
    }
  });
  return {
    name: raw.name as string,
    exec: exec as ExecOutcome,
    group: flag('group', false),
    subreaper: flag('subreaper', false),
    expect: expect as number[],
    reaps: flag('reaps', true),
  };
}

/** S7: what a disposition step changes; unblocking a pending fatal signal kills. */
function setDisposition(process: Known, signal: SignalName, action: DispositionAction): void {
  if (action === 'block') {
    process.blocked.add(signal);
    return;
  }
  process.caught.delete(signal);
  process.ignored.delete(signal);
  if (action === 'catch') process.caught.add(signal);
  if (action === 'ignore') process.ignored.add(signal);
  process.blocked.delete(signal);
  if (process.pending.delete(signal) && action === 'default' && isFatalByDefault(signal) && signal !== 'SIGKILL') {
    process.liveness = 'ended';
  }
}

/** S4: a signal reaches a named process. */
function receive(process: Known, signal: SignalName): void {
  const state = process.liveness;
  if (state === 'ended') return;
  if (signal === 'SIGKILL' || signal === 'SIGSTOP' || signal === 'SIGCONT') {
    process.liveness = afterSignal(state, signal);
    return;
  }
  if (process.blocked.has(signal)) {
    process.pending.add(signal);
    return;
  }
  if (process.caught.has(signal) || process.ignored.has(signal)) return;
  process.liveness = afterSignal(state, signal);
}

/** S4: a named process's liveness after a signal with default disposition. */
function afterSignal(state: Liveness, signal: SignalName): Liveness {
  if (state === 'ended') return state;
  if (signal === 'SIGKILL') return 'ended';
  if (signal === 'SIGSTOP') return state === 'running' ? 'stopped' : state;
  if (signal === 'SIGCONT') return state === 'stopped-doomed' ? 'ended' : 'running';
  if (IGNORED_SIGNALS.has(signal)) return state;
  // Only SIGKILL wakes a stopped process to die; others wait for SIGCONT.
  return state === 'running' ? 'ended' : 'stopped-doomed';
}

/** A signal given by name ("SIGTERM") or number (1..31). */
function parseSignal(value: unknown, fail: (message: string) => never): SignalName {
  let name: SignalName | '' | undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value >= SIGNALS.length) {
      fail(`signal number out of range: ${show(value)} (1..${SIGNALS.length - 1})`);
    }
    name = SIGNALS[value];
  } else if (typeof value === 'string') {
    name = SIGNALS.find((s) => s !== '' && s === value);
    if (name === undefined) fail(`unknown signal ${show(value)} (use a name like "SIGTERM" or a number 1..31)`);
  } else {
    fail(`expected a signal name or number, got ${show(value)}`);
  }
  if (REJECTED_SIGNALS.has(name as SignalName)) {
    fail(`${name} is not supported (job-control stops depend on process-group rules out of scope)`);
  }
  return name as SignalName;
}

/** Canonical JSON for a validated scenario: every field explicit, one step a line. */
export function scenarioToJson(s: Scenario): string {
  checkArgument(isRecord(s) && Array.isArray(s.steps), 'scenarioToJson(scenario): scenario', 'a Scenario', s);
  const head: Record<string, unknown> = { version: s.version };
  if (s.description !== undefined) head.description = s.description;
  head.pid1 = s.pid1;
  if (s.init !== undefined) head.init = s.init;
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const steps = s.steps.map((step, i) => `    ${JSON.stringify(step)}${i < s.steps.length - 1 ? ',' : ''}`);
  return ['{', ...lines, s.steps.length === 0 ? '  "steps": []' : '  "steps": [', ...(s.steps.length === 0 ? [] : [...steps, '  ]']), '}', ''].join('\n');
}

/**
 * The seed post's story (src/scenario/examples/seed-story.json): pause holds the
 * namespace while a container's processes come and go; their orphans (even
 * one that is already a zombie) are adopted and reaped; the namespace
 * outlives the last container; and pause exits cleanly on SIGTERM, taking
 * the last process along. Loaded from the example file, so it is written once.
 */
export const SEED_STORY: Scenario = loadScenario(fileURLToPath(new URL('./examples/seed-story.json', import.meta.url)));
