// The invariant checker: what must hold of pause and the process table after
// every event (and after every settle), checked on the model's observations.
// The numbers (`invariant N breaks` in explore's report):
//   1 no zombie whose parent is pause survives a settle
//   2 every process that exits is reaped exactly once, by its parent or pause
//   3 every living process has a living parent (or outside); orphans go to
//     the nearest living subreaper, else to pause (pid1) / the runner (plain)
//   4 pause stays alive unless SIGINT or SIGTERM (or SIGKILL from outside)
//     reach it; it exits 0 with the right message for INT and TERM
//   5 after pause exits (PID 1), nothing is left in the namespace
//   6 settle terminates within its bound (a livelock is reported by settle)
//   7 the same seed gives the same trace (checked by replaying)
// and in init mode (pause -- PROGRAM), where 4 reads: pause ends only by
// exiting after its program (or by a signal it does not take):
//   8 every forwardable signal sent to pause while the program lives reaches
//     the program (pause kill()s it at least once before settling, under
//     coalescing); pause forwards nothing else, and no signal more often
//     than it got it
//   9 pause exits with the program's status: its exit code, or 128+N when
//     signal N killed it, and 0 for an -e code; it does not outlive it
//  10 when pause exits, no zombie child is left unreaped (checked when
//     events only come between settles)
import { applyStep } from '../engines/model/engine.ts';
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { FORWARDED_SIGNALS } from '../scenario/load.ts';
import { SIGNALS } from '../scenario/types.ts';
import { ModelModule, type ModelWorld, type Mutant } from '../engines/model/wasm.ts';
import type { Design, InitConfig, Observation, ParentName, Scenario, SignalName, Step } from '../scenario/types.ts';
import { counted } from '../scenario/report.ts';

export interface Violation {
  invariant: number;
  /** Index of the scenario step after which it was seen (-1: the start). */
  step: number;
  message: string;
}

const SHUTDOWN_LINE = /^Shutting down, got signal: (Interrupt|Terminated)$/;
const LINE_SIGNAL: Record<string, SignalName> = { Interrupt: 'SIGINT', Terminated: 'SIGTERM' };
const CATCHABLE_NONFATAL: ReadonlySet<SignalName> = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/** The exit code pause owes for a program that exited with code or died of signal (init mode). */
export function expectedExitCode(init: InitConfig, fate: { exitCode: number; exitSignal: number }): number {
  checkArgument(isRecord(init) && Array.isArray(init.expect), 'expectedExitCode(init, fate): init', "a scenario's init (with its expect list)", init);
  checkArgument(isRecord(fate), 'expectedExitCode(init, fate): fate', 'the program\'s { exitCode, exitSignal }', fate);
  const code = fate.exitSignal > 0 ? 128 + fate.exitSignal : fate.exitCode;
  return init.expect.includes(code) ? 0 : code;
}

/** Records one broken invariant. */
type Fail = (invariant: number, message: string) => void;


/** The stop signals pause forwards (K12: SIGCONT discards them while pending). */
const JOB_CONTROL_STOPS: readonly SignalName[] = ['SIGTSTP', 'SIGTTIN', 'SIGTTOU'];
/** Follows one run of the model and reports every broken invariant. */
export class InvariantChecker {
  readonly pid1: boolean;
  /** Init mode: the program pause runs. */
  readonly init: InitConfig | undefined;
  /** Events may come between any two of pause's steps (invariant 10 is not checked). */
  readonly interleaved: boolean;
  #parents = new Map<string, ParentName | null>();
  #states = new Map<string, string>();
  #subreapers = new Set<string>();
  #sentToPause: { signal: SignalName; from: ParentName }[] = [];
  #stderr: string[] = [];
  /** Init mode: forwardable signals sent to pause, with pause's forward count for each then. */
  #owed = new Map<SignalName, number>();
  /** Init mode: pause's forward count of each signal at the previous check. */
  #forwarded = new Map<SignalName, number>();

  constructor(pid1: boolean, options: { init?: InitConfig; interleaved?: boolean } = {}) {
    this.pid1 = pid1;
    this.init = options.init;
    this.interleaved = options.interleaved ?? false;
  }

  /** An independent copy (for exploring several futures of one run). */
  clone(): InvariantChecker {
    const copy = new InvariantChecker(this.pid1, { init: this.init, interleaved: this.interleaved });
    copy.#parents = new Map(this.#parents);
    copy.#states = new Map(this.#states);
    copy.#subreapers = new Set(this.#subreapers);
    copy.#sentToPause = [...this.#sentToPause];
    copy.#stderr = [...this.#stderr];
    copy.#owed = new Map(this.#owed);
    copy.#forwarded = new Map(this.#forwarded);
    return copy;
  }

  /** Every line pause wrote so far. */
  get stderr(): readonly string[] {
    return this.#stderr;
  }

  /**
   * Checks the world right after `step` (null for the start) was applied,
   * and the world possibly advanced; `settled` when pause cannot step.
   */
  check(world: ModelWorld, observation: Observation, step: Step | null, settled: boolean): Violation[] {
    const violations: Violation[] = [];
    const fail = (invariant: number, message: string) => violations.push({ invariant, step: observation.step, message });
    this.#record(observation, step);
    this.#checkProcesses(world, observation, fail);
    if (this.init === undefined) this.#checkShutdown(observation, settled, fail);
    this.#checkPauseEnd(observation, fail);
    if (this.init !== undefined) this.#checkInit(world, observation, settled, fail);
    this.#checkLeftBehind(observation, settled, fail);
    for (const [name, now] of Object.entries(observation.processes)) {
      this.#parents.set(name, now.parent);
      this.#states.set(name, now.state);
    }
    return violations;
  }

  /** What the step and the observation add to the run's history: stderr, subreapers, signals to pause. */
  #record(observation: Observation, step: Step | null): void {
    this.#stderr.push(...observation.stderr);
    if (step?.event === 'subreaper') this.#subreapers.add(step.name);
    if (step?.event === 'signal' && step.target === 'pause') {
      this.#sentToPause.push({ signal: step.signal, from: step.from });
      // K12: SIGCONT discards pause's pending stop signals, and a stop signal
      // its pending SIGCONT; one still owed may have been discarded so.
      const discards: readonly SignalName[] = step.signal === 'SIGCONT' ? JOB_CONTROL_STOPS
        : JOB_CONTROL_STOPS.includes(step.signal) || step.signal === 'SIGSTOP' ? ['SIGCONT'] : [];
      for (const signal of discards) this.#owed.delete(signal);
      // 8: the program lived (running or stopped) when it was sent.
      const program = this.init === undefined ? undefined : this.#states.get(this.init.name);
      if ((program === 'running' || program === 'stopped') && FORWARDED_SIGNALS.has(step.signal) && !this.#owed.has(step.signal)) {
        this.#owed.set(step.signal, this.#forwarded.get(step.signal) ?? 0);
      }
    }
  }

  /** Whether pause got `signal` (from `from`, if given) at some step so far. */
  #sent(signal: SignalName, from?: ParentName): boolean {
    return this.#sentToPause.some((s) => s.signal === signal && (from === undefined || s.from === from));
  }

  /** Invariants 2 and 3, process by process: reaped once by the right one; living parents; orphans to the right reaper. */
  #checkProcesses(world: ModelWorld, observation: Observation, fail: Fail): void {
    const pause = observation.pause;
    const pauseAlive = pause.state === 'running' || pause.state === 'stopped';
    const wasAlive = (name: ParentName): boolean => {
      const s = observation.processes[name]?.state;
      return s === 'running' || s === 'stopped';
    };
    for (const [name, now] of Object.entries(observation.processes)) {
      const fate = world.fate(name);
      const before = this.#parents.get(name);
      const beforeState = this.#states.get(name);
      // 2: reaped exactly once, by whoever was its parent then (or pause).
      if (fate.reapCount > 1) fail(2, `${name} was reaped ${counted(fate.reapCount, 'time')}`);
      if (now.state === 'gone' && fate.reapCount !== 1) fail(2, `${name} is gone but was reaped ${counted(fate.reapCount, 'time')}`);
      if (now.state !== 'gone' && fate.reapCount !== 0) fail(2, `${name} is ${now.state} but was reaped`);
      if (now.state === 'gone' && beforeState !== undefined && beforeState !== 'gone') {
        const by = fate.reapedBy;
        const allowed = by === 'pause' || by === 'outside' || by === before || (by !== null && this.#subreapers.has(by));
        if (!allowed) fail(2, `${name} was reaped by ${String(by)}, which was neither its parent (${String(before)}) nor pause`);
      }
      // 3: living processes hang from something living.
      if (now.state === 'running' || now.state === 'stopped') {
        const p = now.parent;
        const ok = p === 'outside' || (p === 'pause' ? pauseAlive : p !== null && wasAlive(p));
        if (!ok) fail(3, `${name} is ${now.state} but its parent ${String(p)} is not alive`);
      }
      // 3: an orphan goes to the nearest living subreaper, else to the init.
      if (before !== undefined && before !== null && now.parent !== null && now.parent !== before && now.state !== 'gone' && pauseAlive) {
        if (wasAlive(before)) fail(3, `${name} moved from ${before} to ${now.parent} though ${before} lives`);
        const expected = this.#expectedReaper(before, wasAlive);
        if (now.parent !== expected) fail(3, `${name}, orphaned by ${before}, went to ${now.parent}; the nearest subreaper or init is ${expected}`);
      }
    }
  }

  /** Invariant 4, reference mode: pause shuts down after SIGINT or SIGTERM only, saying so, exit 0. */
  #checkShutdown(observation: Observation, settled: boolean, fail: Fail): void {
    const pause = observation.pause;
    const lines = this.#stderr.filter((line) => SHUTDOWN_LINE.test(line));
    for (const line of lines) {
      const signal = LINE_SIGNAL[SHUTDOWN_LINE.exec(line)![1]!]!;
      if (!this.#sent(signal)) fail(4, `pause printed '${line}' but never got ${signal}`);
    }
    if (pause.state === 'exited') {
      if (pause.code !== 0) fail(4, `pause exited ${pause.code}, not 0`);
      if (lines.length === 0) fail(4, `pause exited ${pause.code} without a shutdown message`);
    }
    if (settled && pause.state === 'running' && (this.#sent('SIGINT') || this.#sent('SIGTERM'))) {
      fail(4, `pause is still running after ${this.#sent('SIGINT') ? 'SIGINT' : 'SIGTERM'}`);
    }
  }

  /** Invariant 4, every mode: pause is killed or stopped only by a signal that may do it. */
  #checkPauseEnd(observation: Observation, fail: Fail): void {
    const pause = observation.pause;
    if (pause.state === 'killed') {
      const s = pause.signal;
      const taken = this.init === undefined ? s === 'SIGINT' || s === 'SIGTERM' : FORWARDED_SIGNALS.has(s);
      const allowed = this.pid1
        ? s === 'SIGKILL' && this.#sent('SIGKILL', 'outside')
        : this.#sent(s) && !taken && !CATCHABLE_NONFATAL.has(s);
      if (!allowed) fail(4, `pause was killed by ${s}`);
    }
    if (pause.state === 'stopped' && !(this.pid1 ? this.#sent('SIGSTOP', 'outside') : this.#sent('SIGSTOP'))) {
      fail(4, 'pause is stopped without a SIGSTOP it must obey');
    }
  }

  /** Invariants 1 and 5: settled and running, pause has no zombie child; PID 1 gone, the namespace is empty. */
  #checkLeftBehind(observation: Observation, settled: boolean, fail: Fail): void {
    const pause = observation.pause;
    if (settled && pause.state === 'running') {
      for (const [name, now] of Object.entries(observation.processes)) {
        if (now.state === 'zombie' && now.parent === 'pause') fail(1, `${name} is a zombie child of pause after settling`);
      }
    }
    if (this.pid1 && pause.state !== 'running' && pause.state !== 'stopped') {
      for (const [name, now] of Object.entries(observation.processes)) {
        if (now.state !== 'gone') fail(5, `${name} is ${now.state} after pause ended`);
      }
    }
  }

  // Walks up from the dead parent's parent (as it was), skipping the dead.
  #expectedReaper(dead: ParentName, alive: (name: ParentName) => boolean): ParentName {
    let at = this.#parents.get(dead) ?? 'outside';
    for (let guard = 0; guard < 10_000 && at !== 'outside' && at !== 'pause'; guard++) {
      if (this.#subreapers.has(at) && alive(at)) return at;
      at = this.#parents.get(at) ?? 'outside';
    }
    // A plain pause with -s is a subreaper for its program's descendants.
    if (at === 'pause' && !this.pid1 && this.init?.subreaper === true) return 'pause';
    return this.pid1 ? 'pause' : 'outside';
  }

  // Invariants 8, 9 and 10 (init mode), and 4's "only after its program".
  #checkInit(world: ModelWorld, observation: Observation, settled: boolean, fail: Fail): void {
    const init = this.init!;
    const pause = observation.pause;
    const program = observation.processes[init.name];
    const fate = world.fate(init.name);
    // 8: nothing but what pause got, no more often than it got it.
    for (const name of SIGNALS) {
      if (name === '') continue;
      const signal = name;
      const forwarded = world.forwardCount(signal);
      const got = this.#sentToPause.filter((s) => s.signal === signal).length;
      if (forwarded > 0 && !FORWARDED_SIGNALS.has(signal)) fail(8, `pause forwarded ${signal}, which it must not (${counted(forwarded, 'time')})`);
      else if (forwarded > got) fail(8, `pause forwarded ${signal} ${counted(forwarded, 'time')} but got it ${counted(got, 'time')}`);
    }
    // 8: every signal owed has reached the program, once pause settled running.
    if (settled) {
      for (const [signal, before] of [...this.#owed]) {
        if (program?.state !== 'running' && program?.state !== 'stopped') { this.#owed.delete(signal); continue; }
        if (pause.state === 'stopped') continue;
        if (pause.state === 'running' && world.forwardCount(signal) <= before) {
          fail(8, `pause got ${signal} while its program ran but never forwarded it`);
        }
        this.#owed.delete(signal);
      }
    }
    // 9 (and 4): pause exits only after its program, with its status.
    if (pause.state === 'exited') {
      if (fate.reapCount !== 1 || fate.reapedBy !== 'pause') {
        fail(4, `pause exited ${pause.code} while its program ${init.name} is ${program?.state ?? 'not there'} (not reaped by pause)`);
      } else {
        const expected = expectedExitCode(init, fate);
        if (pause.code !== expected) {
          const why = fate.exitSignal > 0 ? `killed by signal ${fate.exitSignal}` : `exited ${fate.exitCode}`;
          fail(9, `pause exited ${pause.code}, but its program ${why}: expected ${expected}${init.expect.length > 0 ? ` (-e ${init.expect.join(' -e ')})` : ''}`);
        }
      }
      // 10: no zombie left behind.
      if (!this.interleaved && world.zombiesAtExit > 0) {
        fail(10, `pause exited with ${world.zombiesAtExit} zombie child${world.zombiesAtExit === 1 ? '' : 'ren'} left unreaped`);
      }
    }
    if (settled && pause.state === 'running' && program?.state === 'gone') {
      fail(9, `pause is still running though its program ${init.name} is gone`);
    }
    for (const name of SIGNALS) if (name !== '') this.#forwarded.set(name, world.forwardCount(name));
  }
}

/** One line per violation, for failure messages. */
export function formatViolations(violations: readonly Violation[]): string {
  checkArgument(Array.isArray(violations), 'formatViolations(violations): violations', 'a list of violations (checkScenario)', violations);
  return violations.map((v) => `invariant ${v.invariant} broken after step ${v.step}: ${v.message}`).join('\n');
}

/**
 * Plays a scenario on a fresh model world (settling after each event) and
 * returns every broken invariant; a livelock is invariant 6.
 */
export function checkScenario(model: ModelModule, scenario: Scenario, options: { design: Design; mutant?: Mutant } = { design: 'sigwait' }): Violation[] {
  checkArgument(model instanceof ModelModule, 'checkScenario(model, scenario, options): model', 'what loadModel() returns', model);
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'checkScenario(model, scenario, options): scenario', 'a Scenario', scenario);
  const world = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1, init: scenario.init, inherit: scenario.inherit });
  const checker = new InvariantChecker(scenario.pid1, { init: scenario.init });
  try {
    const violations: Violation[] = [];
    world.settle(-1);
    violations.push(...checker.check(world, world.observe(-1), null, true));
    for (const [index, step] of scenario.steps.entries()) {
      applyStep(world, step, index);
      try {
        world.settle(index);
      } catch (error) {
        if (error instanceof PausekitError && error.details.kind === 'livelock') {
          violations.push({ invariant: 6, step: index, message: error.message });
          return violations;
        }
        throw error;
      }
      violations.push(...checker.check(world, world.observe(index), step, true));
    }
    return violations;
  } finally {
    world.dispose();
  }
}
