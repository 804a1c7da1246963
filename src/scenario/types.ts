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
//       send a signal (name like "SIGTERM" or number 1..31) to a named
//       process or to "pause". from: "outside" (default), or the name of a
//       living process, which sends it from inside the namespace.
//       SIGSTOP / SIGCONT stop and continue.
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
//       exec: "ok" (default), "missing" (not found: exit 127) or
//       "not-executable" (126); group, subreaper, expect: pause's -g, -s
//       and -e CODE...; reaps as for spawn.

import { PausekitError, printable } from '../errors.ts';

/** Where a process hangs: "pause", "outside" (beyond the namespace), or a name. */
export type ParentName = string;

export type SignalName =
  | 'SIGHUP' | 'SIGINT' | 'SIGQUIT' | 'SIGILL' | 'SIGTRAP' | 'SIGABRT' | 'SIGBUS'
  | 'SIGFPE' | 'SIGKILL' | 'SIGUSR1' | 'SIGSEGV' | 'SIGUSR2' | 'SIGPIPE' | 'SIGALRM'
  | 'SIGTERM' | 'SIGSTKFLT' | 'SIGCHLD' | 'SIGCONT' | 'SIGSTOP' | 'SIGTSTP' | 'SIGTTIN'
  | 'SIGTTOU' | 'SIGURG' | 'SIGXCPU' | 'SIGXFSZ' | 'SIGVTALRM' | 'SIGPROF' | 'SIGWINCH'
  | 'SIGIO' | 'SIGPWR' | 'SIGSYS';

/** x86-64 numbering; index = signal number. */
export const SIGNALS: readonly (SignalName | '')[] = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
  'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM',
  'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU',
  'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO',
  'SIGPWR', 'SIGSYS',
];

/**
 * A signal's number (its index in SIGNALS) from its name or its number: the
 * one signal table every engine and the loader number signals by. An
 * unknown name, or a number outside 1..31, is a PausekitError naming it.
 */
export function signalNumber(signal: SignalName | number): number {
  const n = typeof signal === 'number' ? signal : SIGNALS.indexOf(signal);
  if (!Number.isInteger(n) || n < 1 || n >= SIGNALS.length) {
    throw new PausekitError(`unknown signal '${printable(String(signal), 40)}' (use a name like "SIGTERM" or a number 1..31)`, { field: 'signal', value: signal });
  }
  return n;
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
export type ExecOutcome = 'ok' | 'missing' | 'not-executable';
export const EXEC_OUTCOMES: readonly ExecOutcome[] = ['ok', 'missing', 'not-executable'];

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
  steps: Step[];
}

/**
 * A scenario as the JSON format accepts it, which is what runModel and
 * runKernel take from a library user: the defaults may be left out (pid1
 * true; a spawn's parent "outside" and reaps true; a signal from
 * "outside"; init's exec "ok", group and subreaper false, expect [], reaps
 * true) and a signal may be a number 1..31. normalizeScenario
 * (src/scenario/load.ts) checks it as a scenario file is checked and fills
 * the defaults in. A `Scenario` is one too.
 */
export interface ScenarioInput {
  version: 1;
  description?: string;
  pid1?: boolean;
  init?: InitInput;
  steps: StepInput[];
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
   * number first (how many times, and in which order, can depend on the
   * scheduler when several arrive in one step).
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
