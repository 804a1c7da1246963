// The scenario format and the observation shape, shared by every engine
// (kernel, model) and every tool (run, diff, explore, properties).
//
// A scenario is a JSON file:
//
//   {
//     "version": 1,
//     "description": "one line",                 (optional)
//     "pid1": true,                              (optional, default true:
//                                                 pause is PID 1 of a new PID
//                                                 namespace; false: a plain
//                                                 process)
//     "steps": [ Step, ... ]
//   }
//
// Steps, one event each; after each one the engine lets the state settle
// and records an Observation:
//
//   { "event": "spawn", "name": "app", "parent": "outside", "reaps": true }
//       start a process. parent "outside" (default): started in the
//       namespace from outside, as a container runtime's shim is; or the
//       name of a living process, which forks it. reaps (default true): the
//       process waits for its children; false: it never does, so they stay
//       zombies while it lives.
//   { "event": "exit", "name": "app", "code": 0 }          code 0..255
//   { "event": "signal", "target": "app", "signal": "SIGKILL", "from": "outside" }
//       send a signal (a name like "SIGTERM" or "SIGRTMIN+3", or a number
//       1..64 but 32 and 33, the C library's) to a named process or to
//       "pause". from: "outside" (default), or the name of a living
//       process, which sends it from inside the namespace. SIGSTOP /
//       SIGCONT stop and continue. Real-time signals queue (one delivery
//       per kill), the others coalesce.
//   { "event": "subreaper", "name": "app" }
//       the process calls prctl(PR_SET_CHILD_SUBREAPER, 1).
//   { "event": "disposition", "name": "app", "signal": "SIGUSR1", "action": "catch" }
//       the process changes what it does with a signal: "default",
//       "ignore" or "catch" (a handler that records it) set the action and
//       unblock it; "block" adds it to the signal mask (it stays pending).
//
// Init mode: with an "init" object pause runs a program (pause -- PROGRAM),
// a named process whose parent is pause from the start (step -1):
//
//   "init": { "name": "app", "exec": "ok", "group": false,
//             "subreaper": false, "expect": [143], "reaps": true }
//       exec: "ok" (default), "missing" (not found: exit 127),
//       "not-executable", "directory" or "name-too-long" (126); group,
//       subreaper, expect: pause's -g, -s and -e CODE...; reaps as for spawn.
//
// What pause is started with (either mode; in init mode also accepted as
// "init.inherit"):
//
//   "inherit": { "ignored": ["SIGHUP"], "blocked": ["SIGTERM"] }
//       signals set to SIG_IGN, and blocked, when pause starts (as nohup,
//       a shell's trap '' or a runtime leaves them); default none. Not
//       SIGKILL or SIGSTOP, which nobody ignores or blocks.

import { PausekitError, printable } from '../errors.ts';

/** Where a process hangs: "pause", "outside" (beyond the namespace), or a name. */
export type ParentName = string;

export type StandardSignalName =
  | 'SIGHUP' | 'SIGINT' | 'SIGQUIT' | 'SIGILL' | 'SIGTRAP' | 'SIGABRT' | 'SIGBUS'
  | 'SIGFPE' | 'SIGKILL' | 'SIGUSR1' | 'SIGSEGV' | 'SIGUSR2' | 'SIGPIPE' | 'SIGALRM'
  | 'SIGTERM' | 'SIGSTKFLT' | 'SIGCHLD' | 'SIGCONT' | 'SIGSTOP' | 'SIGTSTP' | 'SIGTTIN'
  | 'SIGTTOU' | 'SIGURG' | 'SIGXCPU' | 'SIGXFSZ' | 'SIGVTALRM' | 'SIGPROF' | 'SIGWINCH'
  | 'SIGIO' | 'SIGPWR' | 'SIGSYS';

/**
 * A signal's name: a standard one, or a real-time one as bash's `kill -l`
 * names 34..64 (SIGRTMIN, SIGRTMIN+1 .. SIGRTMIN+15, SIGRTMAX-14 ..
 * SIGRTMAX-1, SIGRTMAX).
 */
export type SignalName = StandardSignalName | 'SIGRTMIN' | `SIGRTMIN+${number}` | `SIGRTMAX-${number}` | 'SIGRTMAX';

/** The first and last real-time signal a program may use; 32 and 33 are the C library's. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

const STANDARD_SIGNALS: readonly StandardSignalName[] = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
  'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM',
  'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU',
  'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO',
  'SIGPWR', 'SIGSYS',
];

// A real-time signal's name, as bash's `kill -l` gives it.
function realTimeName(n: number): SignalName {
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n === SIGRTMAX) return 'SIGRTMAX';
  return n - SIGRTMIN <= 15 ? `SIGRTMIN+${n - SIGRTMIN}` : `SIGRTMAX-${SIGRTMAX - n}`;
}

/**
 * x86-64 numbering (the same on every architecture pause is built for);
 * index = signal number, '' where there is none: 0, and 32 and 33, which
 * the C library keeps for itself.
 */
export const SIGNALS: readonly (SignalName | '')[] = [
  '', ...STANDARD_SIGNALS, '', '',
  ...Array.from({ length: SIGRTMAX - SIGRTMIN + 1 }, (_, i) => realTimeName(SIGRTMIN + i)),
];

/** The real-time signals 34..64, by name, lowest first. */
export const REALTIME_SIGNALS: readonly SignalName[] = SIGNALS.slice(SIGRTMIN) as SignalName[];

/** What is wrong with a signal's name or number: the words after "unknown signal X" or a number's. */
export const SIGNAL_FORMS = 'a name like "SIGTERM" or "SIGRTMIN+3", or a number 1..64 but 32 and 33';

/**
 * A signal's number from its name: a standard name, or SIGRTMIN+N and
 * SIGRTMAX-N for any N that lands in 34..64 (SIGRTMIN+20 is SIGRTMAX-10);
 * undefined for anything else.
 */
export function signalByName(name: string): number | undefined {
  const standard = STANDARD_SIGNALS.indexOf(name as StandardSignalName);
  if (standard >= 0) return standard + 1;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(0|[1-9][0-9]?))?$/.exec(name);
  if (rt === null) return undefined;
  const [, base, sign, offset] = rt as unknown as [string, 'MIN' | 'MAX', string | undefined, string | undefined];
  if ((base === 'MIN' && sign === '-') || (base === 'MAX' && sign === '+')) return undefined;
  const n = base === 'MIN' ? SIGRTMIN + Number(offset ?? 0) : SIGRTMAX - Number(offset ?? 0);
  return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
}

/** Why a number is no signal of a scenario, or undefined if it is one. */
export function signalNumberProblem(n: number): string | undefined {
  if (n === 32 || n === 33) return `signal ${n} is the C library's own (glibc and musl keep 32 and 33 for threads; programs start at SIGRTMIN, 34)`;
  if (!Number.isInteger(n) || n < 1 || n > SIGRTMAX) return `signal number out of range: ${n} (1..64 but 32 and 33)`;
  return undefined;
}

/**
 * A signal's number (its index in SIGNALS) from its name or its number: the
 * one signal table every engine and the loader number signals by. An
 * unknown name, or a number no signal of a scenario has (outside 1..64, or
 * the C library's 32 and 33), is a PausekitError naming it.
 */
export function signalNumber(signal: SignalName | number): number {
  if (typeof signal === 'number') {
    const problem = signalNumberProblem(signal);
    if (problem !== undefined) throw new PausekitError(problem, { field: 'signal', value: signal });
    return signal;
  }
  const n = typeof signal === 'string' ? signalByName(signal) : undefined;
  if (n === undefined) {
    throw new PausekitError(`unknown signal '${printable(String(signal), 40)}' (use ${SIGNAL_FORMS})`, { field: 'signal', value: signal });
  }
  return n;
}

/** A signal's canonical name (SIGNALS') from any name or number signalNumber() takes. */
export function signalName(signal: SignalName | number): SignalName {
  return SIGNALS[signalNumber(signal)] as SignalName;
}

export type Step =
  | { event: 'spawn'; name: string; parent: ParentName; reaps: boolean }
  | { event: 'exit'; name: string; code: number }
  | { event: 'signal'; target: string; signal: SignalName; from: ParentName }
  | { event: 'subreaper'; name: string }
  | { event: 'disposition'; name: string; signal: SignalName; action: DispositionAction };

/** What a process does with one signal (the disposition step). */
export type DispositionAction = 'default' | 'ignore' | 'catch' | 'block';
export const DISPOSITION_ACTIONS: readonly DispositionAction[] = ['default', 'ignore', 'catch', 'block'];

/** How pause's exec of the program goes (init mode). */
export type ExecOutcome = 'ok' | 'missing' | 'not-executable' | 'directory' | 'name-too-long';
export const EXEC_OUTCOMES: readonly ExecOutcome[] = ['ok', 'missing', 'not-executable', 'directory', 'name-too-long'];

/** What pause is started with: signals ignored (SIG_IGN) and blocked, lowest first. */
export interface Inherit {
  ignored: SignalName[];
  blocked: SignalName[];
}

/** Init mode: pause runs a program (pause [-g] [-s] [-e CODE]... -- PROGRAM). */
export interface InitConfig {
  /** The program's process name, as a spawn's. */
  name: string;
  exec: ExecOutcome;
  /** -g: signals go to the program's process group. */
  group: boolean;
  /** -s: pause becomes a child subreaper when it is not PID 1. */
  subreaper: boolean;
  /** -e CODE...: these exit codes of the program become 0. */
  expect: number[];
  /** Whether the program reaps its own children (as a spawn's reaps). */
  reaps: boolean;
}

/** A validated scenario: defaults filled in, signals by name. */
export interface Scenario {
  version: 1;
  description?: string;
  pid1: boolean;
  /** Init mode: the program pause runs; absent: pause alone, as today. */
  init?: InitConfig;
  /** What pause is started with; absent: nothing ignored or blocked. */
  inherit?: Inherit;
  steps: Step[];
}

/**
 * A scenario as the JSON format accepts it, which is what runModel and
 * runKernel take from a library user: the defaults may be left out (pid1
 * true; a spawn's parent "outside" and reaps true; a signal from
 * "outside"; init's exec "ok", group and subreaper false, expect [], reaps
 * true; nothing inherited) and a signal may be a number (1..64 but 32 and
 * 33) or any name signalNumber takes. normalizeScenario (src/scenario/load.ts)
 * checks it as a scenario file is checked and fills the defaults in, signals
 * by their SIGNALS name. A `Scenario` is one too.
 */
export interface ScenarioInput {
  version: 1;
  description?: string;
  pid1?: boolean;
  init?: InitInput;
  inherit?: InheritInput;
  steps: StepInput[];
}

/** What pause is started with, as the JSON format accepts it (see ScenarioInput). */
export interface InheritInput {
  ignored?: (SignalName | number)[];
  blocked?: (SignalName | number)[];
}

/** A step as the JSON format accepts it (see ScenarioInput). */
export type StepInput =
  | { event: 'spawn'; name: string; parent?: ParentName; reaps?: boolean }
  | { event: 'exit'; name: string; code: number }
  | { event: 'signal'; target: string; signal: SignalName | number; from?: ParentName }
  | { event: 'subreaper'; name: string }
  | { event: 'disposition'; name: string; signal: SignalName | number; action: DispositionAction };

/** Init mode as the JSON format accepts it (see ScenarioInput). */
export interface InitInput {
  name: string;
  exec?: ExecOutcome;
  group?: boolean;
  subreaper?: boolean;
  expect?: number[];
  reaps?: boolean;
  /** The same as the scenario's "inherit" (one of the two, not both). */
  inherit?: InheritInput;
}

/**
 * The signal designs of pause (native/pause.c), each its own binary:
 * sigwait (the default: signals blocked and waited for), handlers (the
 * reference's asynchronous handlers) and autoreap (SIGCHLD at SIG_IGN: the
 * kernel reaps; init mode reaps as sigwait does).
 */
export const DESIGNS = ['sigwait', 'handlers', 'autoreap'] as const;

/** Which signal design of pause (native/pause.c) runs. */
export type Design = (typeof DESIGNS)[number];

export type ProcessState = 'running' | 'stopped' | 'zombie' | 'gone';

export interface ProcessObservation {
  state: ProcessState;
  /** "pause", "outside" or a name; null once gone. */
  parent: ParentName | null;
  /**
   * Only for a process that has had a "catch" disposition: the signals its
   * handler ran for since the previous observation, each once, lowest
   * number first, a real-time one once per delivery (how many times a
   * standard one ran, and in which order, can depend on the scheduler when
   * several arrive in one step).
   */
  caught?: SignalName[];
}

export type PauseObservation =
  | { state: 'running' }
  | { state: 'stopped' }
  | { state: 'exited'; code: number }
  | { state: 'killed'; signal: SignalName };

/** What an engine records once the state has settled after a step. */
export interface Observation {
  /** -1 for the start (pause just launched), else the index into steps. */
  step: number;
  pause: PauseObservation;
  /** Every process named so far, in the order they were spawned. */
  processes: Record<string, ProcessObservation>;
  /** pause's stderr lines written since the previous observation. */
  stderr: string[];
}
