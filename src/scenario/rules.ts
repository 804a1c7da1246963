// The rules pass over a scenario the shape pass (shape.ts) has typed: a
// scenario must be *possible*, each step using only processes that still
// exist and can act. These static rules are the ones docs/scenario-format.md
// numbers S1..S7 in "What a scenario may not do"; each is a function below,
// and its error carries the rule's number (`details.rule`: 1 for S1).
// They are conservative: when a step might have ended a process (or
// pause), later steps may not rely on it, whatever the signal design or a
// mutant does.
//
//   names  A process name is used by one spawn (or the init program) only,
//          and a scenario spawns at most MAX_SCENARIO_PROCESSES.
//   S1     Only a running process acts (forks, exits, becomes a subreaper,
//          changes a disposition, sends a signal).
//   S2     A signal's target must not have ended (a stopped one is fine).
//   S3     A process has ended once it exited or after a signal that may
//          kill it: SIGKILL always; any other signal whose default action
//          terminates, at once if it runs, else when SIGCONT comes (a stopped
//          process keeps it pending: measured on Linux 6.x, for SIGTERM and
//          SIGHUP too, not only for core-dumping signals). SIGSTOP stops it,
//          SIGCONT resumes it, SIGCHLD/SIGURG/SIGWINCH change nothing.
//   S4     pause may have ended after a signal to it that it takes as
//          shutdown (SIGINT, SIGTERM; in init mode none), SIGKILL from
//          outside, and, as a plain process (pid1: false), any signal whose
//          default action terminates. As PID 1 its end takes the whole
//          namespace along: from then on the only step allowed is another
//          signal to pause from outside.
//   S5     SIGTSTP, SIGTTIN and SIGTTOU go only to pause in init mode, which
//          forwards them to the program (or its group), whose process group
//          is never orphaned: there they stop it as SIGSTOP does. Anywhere
//          else what they do depends on orphaned-process-group rules, out of
//          scope (the runner's group, every other process's, is orphaned).
//   S6     A process that catches or ignores a signal is not ended by it; a
//          blocked one stays pending and may end it when its disposition goes
//          back to default. SIGKILL and SIGSTOP have no disposition to
//          change; a process that reaps (reaps: true) takes SIGCHLD itself,
//          so only one with reaps: false may change SIGCHLD's. The init
//          program starts ignoring and blocking what pause was started with
//          ("inherit"), as exec keeps both.
//   S7     Init mode: a signal pause forwards reaches the program (with
//          "group", every process in its group) and acts there as S3
//          says; once the program may have ended, so may pause (it exits
//          with its status), and S4 follows. A pause that may be stopped
//          collects what it is sent and, continued, forwards it in one
//          burst: a signal to it is refused only when that burst could act
//          on one process more than once (a handler to run, an end, a stop),
//          as how the program takes two of them is up to the scheduler.
//          SIGKILL and SIGSTOP (not forwarded) are always allowed, and so is
//          everything once every process it would reach has ended.
import { fieldPath, show, type Fail, type FieldDetails } from './shape.ts';
import { REALTIME_SIGNALS, type DispositionAction, type Inherit, type InitConfig, type Scenario, type SignalName, type Step } from './types.ts';

/** The driver tracks at most 511 named processes; keep well inside. */
export const MAX_SCENARIO_PROCESSES = 500;

/** The job-control stops: default action "stop", but nothing in an orphaned process group (S5). */
export const JOB_CONTROL_SIGNALS: ReadonlySet<SignalName> = new Set<SignalName>(['SIGTSTP', 'SIGTTIN', 'SIGTTOU']);
/** Default action "ignore": nothing happens to a process with no handler. */
const IGNORED_SIGNALS = new Set<SignalName>(['SIGCHLD', 'SIGURG', 'SIGWINCH']);

/**
 * The signals pause forwards to the program in init mode: everything it
 * can catch but SIGCHLD and the faults the CPU raises (ILL, TRAP, BUS, FPE,
 * SEGV), real-time ones included (native/pause.c says why).
 */
export const FORWARDED_SIGNALS: ReadonlySet<SignalName> = new Set<SignalName>([
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT',
  'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGWINCH', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF',
  'SIGIO', 'SIGPWR', 'SIGSYS', ...REALTIME_SIGNALS,
]);

/** Does this signal's default action end a process (at once or after SIGCONT)? Every real-time one does. */
export function isFatalByDefault(signal: SignalName): boolean {
  return !IGNORED_SIGNALS.has(signal) && !isStop(signal) && signal !== 'SIGCONT';
}

/** SIGSTOP, or a job-control stop: default action "stop". */
function isStop(signal: SignalName): boolean {
  return signal === 'SIGSTOP' || JOB_CONTROL_SIGNALS.has(signal);
}

type Liveness = 'running' | 'stopped' | 'stopped-doomed' | 'ended';

/** What the rules know of one named process. */
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
  /** Ended by a signal pause forwarded while it may have been stopped (S7). */
  endedInBurst: boolean;
}

function newKnown(liveness: Liveness, reaps: boolean, inGroup: boolean, inherit?: Inherit): Known {
  return {
    liveness, reaps, inGroup, caught: new Set(), ignored: new Set(inherit?.ignored), blocked: new Set(inherit?.blocked),
    pending: new Set(), endedInBurst: false,
  };
}

/** What the rules know after the steps so far, and how a step breaks them. */
class Possible {
  readonly known = new Map<string, Known>();
  pauseMayHaveEnded = false;
  pauseMayBeStopped = false;
  /** Init mode: the signals pause may hold to forward in one burst when continued (S7). */
  readonly burst = new Set<SignalName>();
  /** The step being checked, and the error for one of its fields. */
  index = -1;

  constructor(readonly pid1: boolean, readonly init: InitConfig | undefined, inherit: Inherit | undefined, private readonly fail: Fail) {
    if (init !== undefined) {
      this.known.set(init.name, newKnown(init.exec === 'ok' ? 'running' : 'ended', init.reaps, true, inherit));
      if (init.exec !== 'ok') this.pauseMayHaveEnded = true;
    }
  }

  /** Init mode: the processes a signal pause forwards reaches (the program, or its group). */
  forwardTargets(): Known[] {
    const init = this.init;
    if (init === undefined) return [];
    return [...this.known].filter(([name, process]) => (init.group ? process.inGroup : name === init.name)).map(([, process]) => process);
  }

  /** The step's `field` breaks `rule`. */
  broken(rule: FieldDetails['rule'], field: string, message: string, value: unknown): never {
    return this.fail(fieldPath(`steps[${this.index}]`, field), message, { value, step: this.index, rule });
  }

  /** S4: as PID 1, pause may have ended the namespace, and only outside may signal pause. */
  get namespaceMayBeGone(): boolean {
    return this.pid1 && this.pauseMayHaveEnded;
  }

  endedNamespace(field: string, value: unknown): never {
    return this.broken(4, field, `pause may already have ended this namespace (${this.init ? 'its program may have ended, or ' : ''}by an earlier signal); ` +
      'after that only signals from "outside" to "pause" are allowed', value);
  }
}

/** Checks every step against the rules; the first one broken throws its field's error. */
export function checkRules(scenario: Scenario, fail: Fail): void {
  const possible = new Possible(scenario.pid1, scenario.init, scenario.inherit, fail);
  scenario.steps.forEach((step, index) => {
    possible.index = index;
    checkStep(possible, step);
    programEndsPause(possible);
  });
}

/** One step's rules, in the order of its fields; then what it changes. */
function checkStep(possible: Possible, step: Step): void {
  switch (step.event) {
    case 'spawn':
      namesUsedOnce(possible, step.name);
      if (step.parent !== 'outside') onlyRunningActs(possible, 'parent', step.parent);
      if (possible.namespaceMayBeGone) possible.endedNamespace('parent', step.parent);
      possible.known.set(step.name, newKnown('running', step.reaps, step.parent !== 'outside' && possible.known.get(step.parent)!.inGroup));
      return;
    case 'exit':
      onlyRunningActs(possible, 'name', step.name).liveness = 'ended';
      return;
    case 'subreaper':
      onlyRunningActs(possible, 'name', step.name);
      return;
    case 'disposition': {
      const process = onlyRunningActs(possible, 'name', step.name);
      dispositionAllowed(possible, process, step.name, step.signal);
      setDisposition(process, step.signal, step.action);
      return;
    }
    case 'signal':
      jobControlOnlyThroughPause(possible, step.signal, step.target);
      if (step.from !== 'outside') onlyRunningActs(possible, 'from', step.from);
      if (step.target === 'pause') signalToPause(possible, step.signal, step.from);
      else signalReaches(targetStillExists(possible, step.target), step.signal);
  }
}

/** Rule names: a new name, and room for one more process. */
function namesUsedOnce(possible: Possible, name: string): void {
  if (possible.known.has(name)) {
    possible.broken('names', 'name', `process name "${name}" is already used by an earlier spawn${possible.init?.name === name ? ' (the init program)' : ''}`, name);
  }
  if (possible.known.size >= MAX_SCENARIO_PROCESSES) {
    possible.broken('names', 'name', `one process too many: a scenario may spawn at most ${MAX_SCENARIO_PROCESSES} processes`, name);
  }
}

/**
 * A named process that a step refers to in `field`: one spawned earlier
 * (or the init program), in a namespace pause has not ended (S4), that
 * has not ended (S2 for a target, S1 for one that acts) and, if
 * it acts, is not stopped (S1).
 */
function existing(possible: Possible, field: string, name: string, rule: 1 | 2): Known {
  const process = possible.known.get(name);
  if (process === undefined) {
    return possible.broken(rule, field, `unknown process ${show(name)} (not spawned by an earlier step${possible.init ? ' nor the init program' : ''})`, name);
  }
  if (possible.namespaceMayBeGone) possible.endedNamespace(field, name);
  if (process.liveness === 'ended') return possible.broken(rule, field, `process "${name}" no longer exists (it exited or was killed earlier)`, name);
  return process;
}

/** S1: only a running process acts. */
function onlyRunningActs(possible: Possible, field: string, name: string): Known {
  const process = existing(possible, field, name, 1);
  if (process.liveness !== 'running') possible.broken(1, field, `process "${name}" is stopped and cannot act`, name);
  return process;
}

/** S2: a signal's target must not have ended. */
function targetStillExists(possible: Possible, name: string): Known {
  return existing(possible, 'target', name, 2);
}

/** S5: job-control stops only to pause in init mode, which forwards them into a group that is not orphaned. */
function jobControlOnlyThroughPause(possible: Possible, signal: SignalName, target: string): void {
  if (JOB_CONTROL_SIGNALS.has(signal) && (target !== 'pause' || possible.init === undefined)) {
    possible.broken(5, 'signal', `${signal} may only be sent to pause in init mode, which forwards it to its program ` +
      '(elsewhere what a job-control stop does depends on orphaned process groups, out of scope)', signal);
  }
}

/** S6: SIGKILL and SIGSTOP have no disposition; SIGCHLD's is a non-reaping process's only. */
function dispositionAllowed(possible: Possible, process: Known, name: string, signal: SignalName): void {
  if (signal === 'SIGKILL' || signal === 'SIGSTOP') possible.broken(6, 'signal', `${signal} cannot be caught, blocked or ignored`, signal);
  if (signal === 'SIGCHLD' && process.reaps) {
    possible.broken(6, 'signal', `"${name}" reaps its children, so it takes SIGCHLD itself; give it "reaps": false to change SIGCHLD's disposition`, signal);
  }
}

/**
 * A signal to pause: from outside only once the namespace may be gone
 * (S4); in init mode, while pause may be stopped, only one that keeps
 * the burst it will forward determined (S7). Then what it may do: end
 * pause (S4), stop or continue it, reach the program or its group
 * (S7; at once, as pause may not be stopped after all).
 */
function signalToPause(possible: Possible, signal: SignalName, from: string): void {
  if (possible.namespaceMayBeGone && from !== 'outside') possible.endedNamespace('from', from);
  const init = possible.init;
  const forwarded = init !== undefined && FORWARDED_SIGNALS.has(signal);
  if (forwarded && possible.pauseMayBeStopped) burstStaysDetermined(possible, signal);
  const shutdown = init === undefined && (signal === 'SIGINT' || signal === 'SIGTERM');
  if (shutdown || (signal === 'SIGKILL' && from === 'outside') || (!possible.pid1 && isFatalByDefault(signal))) {
    possible.pauseMayHaveEnded = true;
  }
  if (signal === 'SIGSTOP') possible.pauseMayBeStopped = true;
  const inBurst = forwarded && possible.pauseMayBeStopped && signal !== 'SIGCONT';
  if (forwarded) {
    for (const process of possible.forwardTargets()) {
      const before = process.liveness;
      signalReaches(process, signal);
      if (inBurst && before !== 'ended' && process.liveness === 'ended') process.endedInBurst = true;
    }
  }
  if (inBurst) possible.burst.add(signal);
  if (signal === 'SIGCONT') continued(possible);
}

/** A continued pause has forwarded its burst: nothing is held any more. */
function continued(possible: Possible): void {
  possible.pauseMayBeStopped = false;
  possible.burst.clear();
  for (const process of possible.known.values()) process.endedInBurst = false;
}

/**
 * S7: a pause that may be stopped forwards, once continued, all it
 * holds in one burst. Its outcome is the scheduler's if one process would
 * be acted on twice (two signals a handler runs for, that end it or stop
 * it): which comes first, and whether it runs in between, is up to the
 * scheduler. A process counts unless it ended before the burst.
 */
function burstStaysDetermined(possible: Possible, signal: SignalName): void {
  const burst = [...possible.burst, signal];
  for (const process of possible.forwardTargets()) {
    if (process.liveness === 'ended' && !process.endedInBurst) continue;
    const acting = burst.filter((s, i) => burst.indexOf(s) === i && actsOn(process, s));
    if (acting.length > 1) {
      possible.broken(7, 'signal', `pause may be stopped (SIGSTOP earlier) and already holds ${[...possible.burst].join(', ')} to forward: ` +
        `continued, it would forward ${acting.join(' and ')} in one burst to a process both act on, and which acts first is up to the scheduler`, signal);
    }
  }
}

/** S7: does a forwarded signal act on a process: a handler, its end, a stop (SIGCONT: only into a pending end)? */
function actsOn(process: Known, signal: SignalName): boolean {
  if (process.blocked.has(signal) || process.ignored.has(signal)) return false;
  if (process.caught.has(signal)) return true;
  if (signal === 'SIGCONT') return process.liveness === 'stopped-doomed';
  return !IGNORED_SIGNALS.has(signal);
}

/** S7: once its program may have ended, pause may have exited with it. */
function programEndsPause(possible: Possible): void {
  if (possible.init !== undefined && possible.known.get(possible.init.name)!.liveness === 'ended') possible.pauseMayHaveEnded = true;
}

/** S6: what a disposition step changes; unblocking a pending fatal signal ends the process (S3). */
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
  if (process.pending.delete(signal) && action === 'default' && (isFatalByDefault(signal) || isStop(signal))) {
    process.liveness = isStop(signal) ? 'stopped' : 'ended';
  }
}

/** S3 and S6: a signal reaches a named process; blocked, it waits; caught or ignored, it does nothing. */
function signalReaches(process: Known, signal: SignalName): void {
  const state = process.liveness;
  if (state === 'ended') return;
  if (signal === 'SIGKILL' || signal === 'SIGSTOP' || signal === 'SIGCONT') {
    process.liveness = livenessAfter(state, signal);
    return;
  }
  if (process.blocked.has(signal)) {
    process.pending.add(signal);
    return;
  }
  if (process.caught.has(signal) || process.ignored.has(signal)) return;
  process.liveness = livenessAfter(state, signal);
}

/** S3: a named process's liveness after a signal with default disposition. */
function livenessAfter(state: Liveness, signal: SignalName): Liveness {
  if (state === 'ended') return state;
  if (signal === 'SIGKILL') return 'ended';
  if (isStop(signal)) return state === 'running' ? 'stopped' : state;
  if (signal === 'SIGCONT') return state === 'stopped-doomed' ? 'ended' : 'running';
  if (IGNORED_SIGNALS.has(signal)) return state;
  // Only SIGKILL wakes a stopped process to die; others wait for SIGCONT.
  return state === 'running' ? 'ended' : 'stopped-doomed';
}
