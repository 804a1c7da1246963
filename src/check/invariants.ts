// The invariant checker: what must hold of pause and the process table after
// every event (and after every settle), checked on the model's observations.
// The numbers are the properties:
//   1 no zombie whose parent is pause survives a settle
//   2 every process that exits is reaped exactly once, by its parent or pause
//   3 every living process has a living parent (or outside); orphans go to
//     the nearest living subreaper, else to pause (pid1) / the runner (plain)
//   4 pause stays alive unless SIGINT or SIGTERM (or SIGKILL from outside)
//     reach it; it exits 0 with the right message for INT and TERM
//   5 after pause exits (PID 1), nothing is left in the namespace
//   6 settle terminates within its bound (a livelock is reported by settle)
//   7 the same seed gives the same trace (checked by replaying)
import { applyStep } from '../engines/model/engine.ts';
import { PausekitError } from '../errors.ts';
import type { ModelModule, ModelWorld, Mutant } from '../engines/model/wasm.ts';
import type { Design, Observation, ParentName, Scenario, SignalName, Step } from '../scenario/types.ts';

export interface Violation {
  invariant: number;
  /** Index of the scenario step after which it was seen (-1: the start). */
  step: number;
  message: string;
}

const SHUTDOWN_LINE = /^Shutting down, got signal: (Interrupt|Terminated)$/;
const LINE_SIGNAL: Record<string, SignalName> = { Interrupt: 'SIGINT', Terminated: 'SIGTERM' };
const CATCHABLE_NONFATAL: ReadonlySet<SignalName> = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/** Follows one run of the model and reports every broken invariant. */
export class InvariantChecker {
  readonly pid1: boolean;
  #parents = new Map<string, ParentName | null>();
  #states = new Map<string, string>();
  #subreapers = new Set<string>();
  #sentToPause: { signal: SignalName; from: ParentName }[] = [];
  #stderr: string[] = [];

  constructor(pid1: boolean) {
    this.pid1 = pid1;
  }

  /** An independent copy (for exploring several futures of one run). */
  clone(): InvariantChecker {
    const copy = new InvariantChecker(this.pid1);
    copy.#parents = new Map(this.#parents);
    copy.#states = new Map(this.#states);
    copy.#subreapers = new Set(this.#subreapers);
    copy.#sentToPause = [...this.#sentToPause];
    copy.#stderr = [...this.#stderr];
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
    const index = observation.step;
    const violations: Violation[] = [];
    const fail = (invariant: number, message: string) => violations.push({ invariant, step: index, message });
    this.#stderr.push(...observation.stderr);
    if (step?.event === 'subreaper') this.#subreapers.add(step.name);
    if (step?.event === 'signal' && step.target === 'pause') this.#sentToPause.push({ signal: step.signal, from: step.from });

    const pause = observation.pause;
    const pauseAlive = pause.state === 'running' || pause.state === 'stopped';
    const wasAlive = (name: ParentName): boolean => {
      const s = observation.processes[name]?.state;
      return s === 'running' || s === 'stopped';
    };
    const sent = (signal: SignalName, from?: ParentName) =>
      this.#sentToPause.some((s) => s.signal === signal && (from === undefined || s.from === from));

    for (const [name, now] of Object.entries(observation.processes)) {
      const fate = world.fate(name);
      const before = this.#parents.get(name);
      const beforeState = this.#states.get(name);
      // 2: reaped exactly once, by whoever was its parent then (or pause).
      if (fate.reapCount > 1) fail(2, `${name} was reaped ${fate.reapCount} times`);
      if (now.state === 'gone' && fate.reapCount !== 1) fail(2, `${name} is gone but was reaped ${fate.reapCount} times`);
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

    // 4: how pause may end.
    const lines = this.#stderr.filter((line) => SHUTDOWN_LINE.test(line));
    for (const line of lines) {
      const signal = LINE_SIGNAL[SHUTDOWN_LINE.exec(line)![1]!]!;
      if (!sent(signal)) fail(4, `pause printed '${line}' but never got ${signal}`);
    }
    if (pause.state === 'exited') {
      if (pause.code !== 0) fail(4, `pause exited ${pause.code}, not 0`);
      if (lines.length === 0) fail(4, `pause exited ${pause.code} without a shutdown message`);
    }
    if (pause.state === 'killed') {
      const s = pause.signal;
      const allowed = this.pid1
        ? s === 'SIGKILL' && sent('SIGKILL', 'outside')
        : sent(s) && s !== 'SIGINT' && s !== 'SIGTERM' && !CATCHABLE_NONFATAL.has(s);
      if (!allowed) fail(4, `pause was killed by ${s}`);
    }
    if (pause.state === 'stopped' && !(this.pid1 ? sent('SIGSTOP', 'outside') : sent('SIGSTOP'))) {
      fail(4, 'pause is stopped without a SIGSTOP it must obey');
    }
    if (settled && pause.state === 'running' && (sent('SIGINT') || sent('SIGTERM'))) {
      fail(4, `pause is still running after ${sent('SIGINT') ? 'SIGINT' : 'SIGTERM'}`);
    }

    // 1: settled, pause (running) leaves no zombie child.
    if (settled && pause.state === 'running') {
      for (const [name, now] of Object.entries(observation.processes)) {
        if (now.state === 'zombie' && now.parent === 'pause') fail(1, `${name} is a zombie child of pause after settling`);
      }
    }

    // 5: PID 1 gone, namespace empty.
    if (this.pid1 && !pauseAlive) {
      for (const [name, now] of Object.entries(observation.processes)) {
        if (now.state !== 'gone') fail(5, `${name} is ${now.state} after pause ended`);
      }
    }

    for (const [name, now] of Object.entries(observation.processes)) {
      this.#parents.set(name, now.parent);
      this.#states.set(name, now.state);
    }
    return violations;
  }

  // Walks up from the dead parent's parent (as it was), skipping the dead.
  #expectedReaper(dead: ParentName, alive: (name: ParentName) => boolean): ParentName {
    let at = this.#parents.get(dead) ?? 'outside';
    for (let guard = 0; guard < 10_000 && at !== 'outside' && at !== 'pause'; guard++) {
      if (this.#subreapers.has(at) && alive(at)) return at;
      at = this.#parents.get(at) ?? 'outside';
    }
    return this.pid1 ? 'pause' : 'outside';
  }
}

/** One line per violation, for failure messages. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `invariant ${v.invariant} broken after step ${v.step}: ${v.message}`).join('\n');
}

/**
 * Plays a scenario on a fresh model world (settling after each event) and
 * returns every broken invariant; a livelock is invariant 6.
 */
export function checkScenario(model: ModelModule, scenario: Scenario, options: { design: Design; mutant?: Mutant }): Violation[] {
  const world = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1 });
  const checker = new InvariantChecker(scenario.pid1);
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
