// fast-check arbitraries for scenarios, and the player that turns a
// generated plan into a valid scenario while running it on the model.
//
// A plan is a list of abstract operations (spawn / exit / signal /
// subreaper / disposition with indices instead of names) plus, for
// interleaved runs, how many of pause's steps to take before each event
// instead of settling, and optionally init mode (pause -- PROGRAM, the
// program named "app"). Indices pick among the processes that can act at
// that moment, and a step the static rules (src/scenario/load.ts) would
// refuse is left out, so every plan (and every shrunk plan) plays as a
// valid scenario.
import fc from 'fast-check';
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { applyStep } from '../engines/model/engine.ts';
import { parseScenario } from '../scenario/load.ts';
import { InvariantChecker } from './invariants.ts';
import { describeInherit, describeStep } from '../scenario/report.ts';
import type { Violation } from './invariants.ts';
import { ModelModule, type ModelWorld, type Mutant } from '../engines/model/wasm.ts';
import type { Design, DispositionAction, Inherit, InitConfig, Observation, Scenario, SignalName, Step } from '../scenario/types.ts';

export interface Op {
  kind: 'spawn' | 'exit' | 'signal' | 'subreaper' | 'disposition';
  /** Picks the actor (parent, exiting process, sender) among those running. */
  actor: number;
  /** Picks the signal's target among the named processes not yet gone. */
  target: number;
  toPause: boolean;
  fromOutside: boolean;
  signal: SignalName;
  code: number;
  reaps: boolean;
  /** For a disposition: which signal, and what to do with it. */
  handled: SignalName;
  action: DispositionAction;
}

/** Init mode in a plan: the program "app" and pause's options. */
export type PlanInit = Omit<InitConfig, 'name'>;

export interface Plan {
  pid1: boolean;
  ops: Op[];
  /** Pause steps before each event (interleaved runs); settle when absent. */
  schedule?: number[];
  /** Init mode: pause runs the program "app". */
  init?: PlanInit;
  /** What pause is started with (signals ignored, blocked); none when absent. */
  inherit?: Inherit;
}

/** The init program's name in generated scenarios. */
export const PLAN_PROGRAM = 'app';

/**
 * Signals a scenario may send, the interesting ones weighted up; a few
 * real-time ones (they queue) and SIGTTIN (a job-control stop, which the
 * rules let through only to pause in init mode), with a small weight.
 */
export const SCENARIO_SIGNALS: readonly SignalName[] = [
  'SIGCHLD', 'SIGCHLD', 'SIGINT', 'SIGTERM', 'SIGKILL', 'SIGSTOP', 'SIGSTOP', 'SIGCONT', 'SIGCONT',
  'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGSEGV', 'SIGPIPE', 'SIGWINCH', 'SIGURG', 'SIGABRT',
  'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGXCPU', 'SIGSYS', 'SIGRTMIN', 'SIGRTMIN+3', 'SIGTTIN',
];

/** Signals a disposition step may change (SIGKILL and SIGSTOP cannot be). */
export const DISPOSITION_SIGNALS: readonly SignalName[] = [
  'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGCHLD', 'SIGCHLD', 'SIGCONT', 'SIGPIPE', 'SIGQUIT',
  'SIGWINCH', 'SIGURG', 'SIGXCPU', 'SIGRTMIN+3',
];

/** Signals pause may be started with ignored or blocked (what nohup, a shell's trap '' or a runtime leave). */
const INHERITED_SIGNALS: readonly SignalName[] = ['SIGHUP', 'SIGINT', 'SIGUSR1', 'SIGPIPE', 'SIGTERM', 'SIGCHLD', 'SIGRTMIN+3'];

/** What pause is started with: one plan in five ignores or blocks a few signals. */
const inheritArbitrary: fc.Arbitrary<Inherit | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record({
      ignored: fc.subarray([...INHERITED_SIGNALS], { maxLength: 3 }),
      blocked: fc.subarray([...INHERITED_SIGNALS], { maxLength: 3 }),
    }),
  },
);

const weighted = <T>(...choices: [number, T][]): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })));

/** One abstract operation, weighted towards growing trees that leave orphans. */
export const opArbitrary: fc.Arbitrary<Op> = fc.record({
  kind: weighted<Op['kind']>([4, 'spawn'], [3, 'exit'], [3, 'signal'], [1, 'subreaper'], [2, 'disposition']),
  // Half the time the first candidate: the bushiest parent to fork from,
  // the process whose exit orphans the most zombies (see running()).
  actor: fc.oneof(fc.constant(0), fc.nat(7)),
  target: fc.nat(7),
  toPause: weighted([1, true], [2, false]),
  fromOutside: weighted([1, true], [1, false]),
  signal: fc.constantFrom(...SCENARIO_SIGNALS),
  code: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
  reaps: weighted([2, false], [1, true]),
  handled: fc.constantFrom(...DISPOSITION_SIGNALS),
  action: weighted<DispositionAction>([3, 'catch'], [2, 'block'], [2, 'ignore'], [2, 'default']),
}).map((op) => inWords(op, describeOp));

/** pause's options and the program in init mode: exec mostly works; -e codes near 128+N. */
export const planInitArbitrary: fc.Arbitrary<PlanInit> = fc.record({
  exec: weighted<PlanInit['exec']>([10, 'ok'], [1, 'missing'], [1, 'not-executable']),
  group: weighted([2, false], [1, true]),
  subreaper: weighted([1, false], [1, true]),
  expect: fc.oneof(
    { weight: 3, arbitrary: fc.constant<number[]>([]) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom<number>(0, 1, 3, 130, 137, 143, 138), { maxLength: 2 }) },
  ),
  reaps: weighted([1, false], [1, true]),
}).map((init) => inWords(init, describePlanInit));

/**
 * A plan: PID 1 most of the time, minOps (default 6) to maxOps (default 12)
 * operations. init: 'never'
 * (pause alone, as the reference), 'always' (pause -- app), or 'sometimes'
 * (the default: one plan in three).
 */
export function planArbitrary(options: { minOps?: number; maxOps?: number; interleave?: boolean; pid1?: boolean; init?: 'never' | 'always' | 'sometimes' } = {}): fc.Arbitrary<Plan> {
  const maxOps = options.maxOps ?? 12;
  const minOps = Math.min(options.minOps ?? 6, maxOps);
  const pid1 = options.pid1 === undefined ? fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.constant(false)) : fc.constant(options.pid1);
  const ops = fc.array(opArbitrary, { minLength: minOps, maxLength: maxOps, size: 'max' });
  const mode = options.init ?? 'sometimes';
  const init: fc.Arbitrary<PlanInit | undefined> = mode === 'never' ? fc.constant(undefined)
    : mode === 'always' ? planInitArbitrary
    : fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: planInitArbitrary });
  const plan = (p: { pid1: boolean; ops: Op[]; init: PlanInit | undefined; inherit: Inherit | undefined; schedule?: number[] }): Plan => {
    const { init: i, inherit: h, ...rest } = p;
    return inWords({ ...rest, ...(i === undefined ? {} : { init: i }), ...(h === undefined ? {} : { inherit: h }) }, describePlan);
  };
  const inherit = inheritArbitrary;
  if (!options.interleave) return fc.record({ pid1, ops, init, inherit }).map(plan);
  return fc.record({ pid1, ops, init, inherit, schedule: fc.array(fc.nat(4), { minLength: maxOps, maxLength: maxOps }) }).map(plan);
}

/** The init object of a plan's scenario. */
export function planInitConfig(init: PlanInit): InitConfig {
  checkArgument(isRecord(init), 'planInitConfig(init): init', "a plan's init options (planInitArbitrary)", init);
  return { name: PLAN_PROGRAM, ...init };
}

const MAX_NAMED = 8;

// The running processes in the order small indices (which fast-check
// favours and shrinks to) should pick them. To fork: the parents with the
// most children first (bushy trees). To exit: those whose children are
// zombies first, then those whose siblings are, those with living children
// last, so that exits leave several zombies to be reparented at once
// (coalesced SIGCHLD).
function running(world: ModelWorld, purpose: 'fork' | 'exit' | 'other'): string[] {
  const zombies = new Map<string, number>();
  const living = new Map<string, number>();
  for (const name of world.names) {
    const p = world.process(name);
    if (p.parent === null || p.parent === 'outside' || p.parent === 'pause') continue;
    const counter = p.state === 'zombie' ? zombies : p.state === 'gone' ? null : living;
    counter?.set(p.parent, (counter.get(p.parent) ?? 0) + 1);
  }
  const exitScore = (name: string): number => {
    const alive = living.get(name) ?? 0;
    if (alive > 0) return -alive;
    return 10 * (zombies.get(name) ?? 0) + (zombies.get(world.process(name).parent ?? 'outside') ?? 0);
  };
  const score = (name: string) => purpose === 'fork'
    ? (living.get(name) ?? 0) + (zombies.get(name) ?? 0)
    : purpose === 'exit' ? exitScore(name) : 0;
  return world.names
    .filter((name) => world.process(name).state === 'running')
    .sort((a, b) => score(b) - score(a));
}

// The concrete step an operation means in this world now, or null to skip it.
// `ended` follows parseScenario's static rule S5: once a signal may have
// ended pause as PID 1, only signals from outside to pause are allowed.
function concretize(world: ModelWorld, op: Op, ended: boolean): Step | null {
  const pause = world.pause();
  const pauseAlive = pause.state === 'running' || pause.state === 'stopped';
  if (world.pid1 && ended) {
    if (op.kind !== 'signal' || !pauseAlive) return null;
    return { event: 'signal', target: 'pause', signal: op.signal, from: 'outside' };
  }
  const pick = (list: string[], i: number) => list[i % list.length]!;
  switch (op.kind) {
    case 'spawn': {
      if (world.names.length >= MAX_NAMED + (world.program === undefined ? 0 : 1) || (world.pid1 && !pauseAlive)) return null;
      const actors = running(world, 'fork');
      const parent = op.fromOutside || actors.length === 0 ? 'outside' : pick(actors, op.actor);
      return { event: 'spawn', name: `p${world.names.length + (world.program === undefined ? 1 : 0)}`, parent, reaps: op.reaps };
    }
    case 'exit': {
      const actors = running(world, 'exit');
      return actors.length === 0 ? null : { event: 'exit', name: pick(actors, op.actor), code: op.code };
    }
    case 'subreaper': {
      const actors = running(world, 'other');
      return actors.length === 0 ? null : { event: 'subreaper', name: pick(actors, op.actor) };
    }
    case 'disposition': {
      const actors = running(world, 'other');
      return actors.length === 0 ? null : { event: 'disposition', name: pick(actors, op.actor), signal: op.handled, action: op.action };
    }
    case 'signal': {
      const actors = running(world, 'other');
      const targets = world.names.filter((name) => world.process(name).state !== 'gone');
      const toPause = op.toPause || targets.length === 0;
      if (toPause && !pauseAlive) return null;
      const target = toPause ? 'pause' : pick(targets, op.target);
      const from = op.fromOutside || actors.length === 0 ? 'outside' : pick(actors, op.actor);
      return { event: 'signal', target, signal: op.signal, from };
    }
  }
}

export interface PlayResult {
  scenario: Scenario;
  /** Pause steps taken before each event (interleaved runs). */
  schedule: number[] | null;
  observations: Observation[];
  violations: Violation[];
}

// Whether a step may end pause as PID 1 (parseScenario's rule S5): SIGINT or
// SIGTERM to pause alone, SIGKILL to pause from outside.
function mayEndPause(step: Step, init: InitConfig | undefined): boolean {
  if (step.event !== 'signal' || step.target !== 'pause') return false;
  const s = step.signal;
  return (init === undefined && (s === 'SIGINT' || s === 'SIGTERM')) || (s === 'SIGKILL' && step.from === 'outside');
}

// Settles the world after a step; a livelock is invariant 6's violation.
function settleOrLivelock(world: ModelWorld, index: number): Violation | null {
  try {
    world.settle(index);
    return null;
  } catch (error) {
    if (error instanceof PausekitError && error.details.kind === 'livelock') return { invariant: 6, step: index, message: error.message };
    throw error;
  }
}

/**
 * Plays a plan on a fresh world of the given design (and mutant), checking
 * every invariant after each event; stops at the first violation. A livelock
 * is invariant 6.
 */
export function playPlan(model: ModelModule, plan: Plan, options: { design: Design; mutant?: Mutant } = { design: 'sigwait' }): PlayResult {
  checkArgument(model instanceof ModelModule, 'playPlan(model, plan, options): model', 'what loadModel() returns', model);
  checkArgument(isRecord(plan) && Array.isArray(plan.ops), 'playPlan(model, plan, options): plan', 'a plan (planArbitrary)', plan);
  const init = plan.init === undefined ? undefined : planInitConfig(plan.init);
  const world = model.create({ design: options.design, mutant: options.mutant, pid1: plan.pid1, init, inherit: plan.inherit });
  const checker = new InvariantChecker(plan.pid1, { init, interleaved: plan.schedule !== undefined });
  const steps: Step[] = [];
  const schedule: number[] = [];
  const observations: Observation[] = [];
  const scenarioOf = (list: Step[]): Scenario => ({
    version: 1, pid1: plan.pid1, ...(init === undefined ? {} : { init }), ...(plan.inherit === undefined ? {} : { inherit: plan.inherit }), steps: list,
  });
  // The static rules decide: a step they refuse is left out.
  const allowed = (step: Step): boolean => {
    try {
      parseScenario(JSON.stringify(scenarioOf([...steps, step])), 'plan');
      return true;
    } catch (error) {
      if (error instanceof PausekitError) return false;
      throw error;
    }
  };
  const result = (violations: Violation[]): PlayResult => {
    const played = { scenario: scenarioOf(steps), schedule: plan.schedule ? schedule : null, observations, violations };
    PLAYED.set(plan, played);
    return played;
  };
  try {
    world.settle(-1);
    const first = world.observe(-1);
    observations.push(first);
    let violations = checker.check(world, first, null, true);
    if (violations.length > 0) return result(violations);
    let ended = false;
    // Interleaved: pause's steps before the next event, taken once per event
    // and before the event is picked, so the event fits the world those
    // steps leave (they may end the program, or pause and its namespace).
    let taken = 0;
    let scheduledFor = -1;
    for (const op of plan.ops) {
      const index = steps.length;
      if (plan.schedule && scheduledFor !== index) {
        scheduledFor = index;
        const budget = plan.schedule[index % plan.schedule.length] ?? 0;
        for (let n = 0; n < budget && world.step(); n++) taken++;
      }
      const step = concretize(world, op, ended);
      if (step === null || !allowed(step)) continue;
      ended ||= mayEndPause(step, init);
      if (plan.schedule) {
        schedule.push(taken);
        taken = 0;
      }
      steps.push(step);
      try {
        applyStep(world, step, index);
      } catch (error) {
        if (error instanceof PausekitError) error.details['scenario'] = scenarioOf(steps);
        throw error;
      }
      const livelock = plan.schedule ? null : settleOrLivelock(world, index);
      if (livelock !== null) return result([livelock]);
      const observation = world.observe(index);
      observations.push(observation);
      violations = checker.check(world, observation, step, !plan.schedule);
      if (violations.length > 0) return result(violations);
    }
    if (plan.schedule) {
      const last = steps.length - 1;
      const livelock = settleOrLivelock(world, last);
      if (livelock !== null) return result([livelock]);
      const observation = world.observe(last);
      observations.push(observation);
      violations = checker.check(world, observation, null, true);
      return result(violations);
    }
    return result([]);
  } finally {
    world.dispose();
  }
}

/**
 * Random valid scenarios (settling after each event), built on the real
 * model: a process tree grown first (2 to 6 spawns), then up to maxOps
 * (default 24) operations of every kind; init as planArbitrary's (default
 * 'sometimes'). Shrinks to short scenarios, and
 * fast-check prints each as its steps in words (see describeScenario).
 * With these defaults, 100 runs catch a pause that reaps once per SIGCHLD
 * (the REAP_ONCE bug) from the first few dozen scenarios.
 */
export function scenarioArbitrary(model: ModelModule, options: { design?: Design; maxOps?: number; pid1?: boolean; init?: 'never' | 'always' | 'sometimes' } = {}): fc.Arbitrary<Scenario> {
  checkArgument(model instanceof ModelModule, 'scenarioArbitrary(model, options): model', 'what loadModel() returns', model);
  const grow = fc.array(opArbitrary.map((op): Op => ({ ...op, kind: 'spawn' })), { minLength: 2, maxLength: 6 });
  return fc.tuple(grow, planArbitrary({ minOps: 0, maxOps: options.maxOps ?? 24, pid1: options.pid1, init: options.init }))
    .map(([spawns, plan]) => playPlan(model, { ...plan, ops: [...spawns, ...plan.ops] }, { design: options.design ?? 'sigwait' }).scenario)
    .filter((scenario) => scenario.steps.length > 0)
    .map(readable);
}

/** A scenario in one line: where pause runs, then each step in words. */
export function describeScenario(scenario: Scenario): string {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'describeScenario(scenario): scenario', 'a Scenario', scenario);
  const where = (scenario.pid1 ? 'pause as PID 1' : 'pause as a plain process') +
    (scenario.init ? ` running ${JSON.stringify(scenario.init.name)} (init mode)` : '') + describeInherit(scenario.inherit);
  return `${where}: ${scenario.steps.map(describeStep).join(' · ')}`;
}

// fast-check prints a counterexample with its toString method: the steps in
// words rather than a JSON object. Not enumerable, so the scenario still
// compares, serialises and validates as plain data.
function readable(scenario: Scenario): Scenario {
  return inWords(scenario, describeScenario);
}

// Gives a generated value (a scenario, a plan, an operation, init options)
// the toString method fast-check prints a counterexample with; not
// enumerable, so the value stays plain data.
function inWords<T extends object>(value: T, describe: (value: T) => string): T {
  return Object.defineProperty(value, fc.toStringMethod, { value: () => describe(value), enumerable: false });
}

// The last run of each plan playPlan played, so that a plan prints as the
// scenario it played as (an operation alone means something only in the
// world it is played in).
const PLAYED = new WeakMap<Plan, PlayResult>();

const ORDINALS = ['1st', '2nd', '3rd'];

// Which process an index picks among those that can act, in words.
function pickWords(index: number, among: string): string {
  return `the ${ORDINALS[index] ?? `${index + 1}th`} ${among}`;
}

/** An abstract operation in words: what it does, and whom its indices pick. */
export function describeOp(op: Op): string {
  checkArgument(isRecord(op) && typeof op.kind === 'string', 'describeOp(op): op', 'an operation (opArbitrary)', op);
  const actor = (among: string) => (op.fromOutside ? 'outside' : pickWords(op.actor, among));
  switch (op.kind) {
    case 'spawn':
      return `spawn (parent ${actor('running process')}, ${op.reaps ? 'reaps its children' : 'never reaps'})`;
    case 'exit':
      return `${pickWords(op.actor, 'running process')} exits with code ${op.code}`;
    case 'signal':
      return `${actor('running process')} sends ${op.signal} to ${op.toPause ? 'pause' : pickWords(op.target, 'named process')}`;
    case 'subreaper':
      return `${pickWords(op.actor, 'running process')} becomes a subreaper`;
    case 'disposition':
      return `${pickWords(op.actor, 'running process')} sets ${op.handled} to ${op.action}`;
  }
}

/** Init mode's options in words, as pause's command line has them. */
export function describePlanInit(init: PlanInit): string {
  checkArgument(isRecord(init) && Array.isArray(init.expect), 'describePlanInit(init): init', "a plan's init options (planInitArbitrary)", init);
  const flags = [init.group ? '-g' : '', init.subreaper ? '-s' : '', ...init.expect.map((code) => `-e ${code}`)].filter((f) => f !== '');
  const exec = init.exec === 'ok' ? '' : `, exec ${init.exec}`;
  return `pause ${[...flags, '--', PLAN_PROGRAM].join(' ')} (${PLAN_PROGRAM} ${init.reaps ? 'reaps its children' : 'never reaps'}${exec})`;
}

/**
 * A plan in words: once played (playPlan), the scenario it played as and,
 * interleaved, pause's steps before each event; before, its operations.
 */
export function describePlan(plan: Plan): string {
  checkArgument(isRecord(plan) && Array.isArray(plan.ops), 'describePlan(plan): plan', 'a plan (planArbitrary)', plan);
  const played = PLAYED.get(plan);
  if (played !== undefined) {
    const schedule = played.schedule === null ? '' : ` (pause's steps before each event: ${played.schedule.join(', ')})`;
    return `${describeScenario(played.scenario)}${schedule}`;
  }
  const where = plan.pid1 ? 'pause as PID 1' : 'pause as a plain process';
  const init = (plan.init === undefined ? '' : `, running ${describePlanInit(plan.init)}`) + describeInherit(plan.inherit);
  const schedule = plan.schedule === undefined ? '' : ` (pause's steps before each event: ${plan.schedule.join(', ')})`;
  return `plan, not yet played: ${where}${init}: ${plan.ops.map(describeOp).join(' · ')}${schedule}`;
}

/** The seed for a property run: PAUSEKIT_SEED if set, else a fresh one (printed by the caller). */
export function propertySeed(): number {
  const text = process.env['PAUSEKIT_SEED'];
  if (text !== undefined && text !== '') {
    const seed = Number(text);
    if (!Number.isInteger(seed)) throw new PausekitError(`PAUSEKIT_SEED must be an integer, got '${text}'`, { field: 'PAUSEKIT_SEED', value: text });
    return seed;
  }
  return (Date.now() ^ (process.pid << 16)) | 0;
}
