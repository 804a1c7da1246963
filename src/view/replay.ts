// The stories a picture draws. On the model a scenario (or an explored
// trace) is played again one atomic action at a time, and before and after
// each action the world is asked what no observation holds: which signals
// are pending where, what pause forwarded, how a process ended and who
// reaped it. On the kernel (or any observations) only the settled states
// before and after each step are known.
import { PausekitError } from '../errors.ts';
import { applyStep } from '../engines/model/engine.ts';
import type { ModelModule, ModelWorld, Mutant } from '../engines/model/wasm.ts';
import { describeStart, describeStep } from '../scenario/report.ts';
import { SIGNALS } from '../scenario/types.ts';
import type { Design, Observation, Scenario, SignalName, Step } from '../scenario/types.ts';
import { buildFrame, Dispositions, lanesOf, markLeftovers, type Fate, type Frame, type Lane, type Story, type Transition } from './frames.ts';

export interface ModelRunOptions {
  design: Design;
  mutant?: Mutant;
}

/** A frame's title: the start, or the step in words. */
export function frameTitle(scenario: Scenario, step: number): string {
  if (step < 0) return `start: ${describeStart(scenario)}`;
  const s = scenario.steps[step];
  return s === undefined ? `step ${step}` : `step ${step}: ${describeStep(s)}`;
}

/** The story that observations alone tell: one transition per step, from one settled state to the next. */
export function observedStory(scenario: Scenario, observations: readonly Observation[]): Story {
  const dispositions = new Dispositions(scenario);
  const frames = observations.map((o, i) => {
    const t: Transition = { event: o.step < 0 ? null : scenario.steps[o.step] ?? null, before: observations[i - 1] ?? null, after: o };
    return buildFrame(scenario, o.step, frameTitle(scenario, o.step), [t], dispositions, o);
  });
  markLeftovers(frames);
  return { lanes: lanesOf(frames), frames, source: 'observations' };
}

/** Plays actions on one world and records each as a transition with the model's facts. */
class Recorder {
  readonly world: ModelWorld;
  readonly scenario: Scenario;
  last: Observation | null = null;

  constructor(world: ModelWorld, scenario: Scenario) {
    this.world = world;
    this.scenario = scenario;
  }

  /** The signals pending at pause and at every process now. */
  #pending(): Map<Lane, SignalName[]> {
    return new Map(['pause', ...this.world.names].map((lane) => [lane, this.world.pending(lane)]));
  }

  /** How many times pause has forwarded each signal so far, by number (init mode; none otherwise). */
  #forwardCounts(): number[] {
    return this.scenario.init === undefined ? [] : SIGNALS.map((s) => (s === '' ? 0 : this.world.forwardCount(s as SignalName)));
  }

  /** Runs one action; its transition, or null when it did nothing (pause had no action to take). */
  act(step: number, event: Step | null, action: () => boolean): Transition | null {
    const pendingBefore = this.#pending();
    const forwardsBefore = this.#forwardCounts();
    const acted = action();
    const after = this.world.observe(step);
    if (!acted) return null;
    const forwards: SignalName[] = [];
    this.#forwardCounts().forEach((count, n) => {
      for (let k = forwardsBefore[n]!; k < count; k++) forwards.push(SIGNALS[n] as SignalName);
    });
    const fates = new Map<string, Fate>();
    for (const [name, p] of Object.entries(after.processes)) {
      if (p.state !== 'zombie' && p.state !== 'gone') continue;
      if (this.last?.processes[name]?.state === p.state) continue;
      const fate = this.world.fate(name);
      fates.set(name, { exitCode: fate.exitCode, exitSignal: fate.exitSignal, reapedBy: fate.reapedBy });
    }
    const t: Transition = { event, before: this.last, after, facts: { pendingBefore, pendingAfter: this.#pending(), forwards, fates } };
    this.last = after;
    return t;
  }

  /** pause's actions until it blocks, each a transition; a livelock past the model's own bound. */
  settle(step: number): Transition[] {
    const bound = 64 + 4 * (this.world.names.length + 2);
    const transitions: Transition[] = [];
    for (;;) {
      const t = this.act(step, null, () => this.world.step());
      if (t === null) return transitions;
      transitions.push(t);
      if (transitions.length >= bound) {
        throw new PausekitError(`step ${step}: pause never blocks (livelock): still running after ${bound} steps`, { engine: 'model', kind: 'livelock', step });
      }
    }
  }
}

/** A fresh world of the scenario and its first transition: the world as created (init mode: the program forked). */
function start(model: ModelModule, scenario: Scenario, options: ModelRunOptions): { recorder: Recorder; created: Transition } {
  const world = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1, init: scenario.init, inherit: scenario.inherit });
  const recorder = new Recorder(world, scenario);
  const created = recorder.act(-1, null, () => true)!;
  // Nothing was pending before the world existed (a program that failed to exec has already sent its SIGCHLD).
  return { recorder, created: { ...created, facts: { ...created.facts!, pendingBefore: new Map() } } };
}

/**
 * The scenario played again on a loaded model, settling after each step as
 * runModel does: its story, and the observations it made (the same as
 * runModel's for the same design and mutant).
 */
export function modelStory(model: ModelModule, scenario: Scenario, options: ModelRunOptions): { story: Story; observations: Observation[] } {
  const { recorder, created } = start(model, scenario, options);
  const dispositions = new Dispositions(scenario);
  try {
    const frames: Frame[] = [buildFrame(scenario, -1, frameTitle(scenario, -1), [created, ...recorder.settle(-1)], dispositions)];
    scenario.steps.forEach((step, index) => {
      const event = recorder.act(index, step, () => {
        applyStep(recorder.world, step, index);
        return true;
      })!;
      frames.push(buildFrame(scenario, index, frameTitle(scenario, index), [event, ...recorder.settle(index)], dispositions));
    });
    markLeftovers(frames);
    return { story: { lanes: lanesOf(frames), frames, source: 'model' }, observations: frames.map((f) => f.observation) };
  } finally {
    recorder.world.dispose();
  }
}

const EVENT_ACTION = /^event (\d+): (.*)$/s;
const PAUSE_ACTION = /^pause: (.*)$/s;

/**
 * An explored trace (explore's "event N: ..." and "pause: ..." actions)
 * played again on the model, one frame per action, from the settled start
 * explore begins at. Each action must replay as explore described it.
 */
export function traceStory(model: ModelModule, scenario: Scenario, trace: readonly string[], options: ModelRunOptions): Story {
  const { recorder, created } = start(model, scenario, options);
  const dispositions = new Dispositions(scenario);
  const refuse = (index: number, why: string): PausekitError =>
    new PausekitError(`the trace does not replay on the model: action ${index + 1} (${trace[index]}): ${why}`, { field: 'trace', value: trace[index] });
  try {
    const frames: Frame[] = [buildFrame(scenario, -1, frameTitle(scenario, -1), [created, ...recorder.settle(-1)], dispositions)];
    let next = 0;
    trace.forEach((action, index) => {
      const event = EVENT_ACTION.exec(action);
      if (event !== null) {
        const stepIndex = Number(event[1]);
        const step = scenario.steps[stepIndex];
        if (stepIndex !== next || step === undefined || describeStep(step) !== event[2]) throw refuse(index, `the scenario's next event is ${next}`);
        const t = recorder.act(stepIndex, step, () => {
          applyStep(recorder.world, step, stepIndex);
          return true;
        })!;
        next++;
        frames.push(buildFrame(scenario, stepIndex, frameTitle(scenario, stepIndex), [t], dispositions));
        return;
      }
      const pause = PAUSE_ACTION.exec(action);
      if (pause === null) throw refuse(index, 'neither an event nor a step of pause');
      const phase = recorder.world.phase;
      const t = recorder.act(next - 1, null, () => recorder.world.step());
      if (t === null) throw refuse(index, 'pause has no action to take there');
      const what = t.after.stderr.length > 0 ? `writes "${t.after.stderr.join(' ')}"` : `${phase} -> ${recorder.world.phase} (${t.after.pause.state})`;
      if (what !== pause[1]) throw refuse(index, `pause's step there ${what}`);
      frames.push(buildFrame(scenario, next - 1, `pause: ${what}`, [t], dispositions));
    });
    return { lanes: lanesOf(frames), frames, source: 'model' };
  } finally {
    recorder.world.dispose();
  }
}
