// fast-check arbitraries for scenarios, and the player that turns a
// generated plan into a valid scenario while running it on the model.
//
// The plans and their words are in plans.ts (re-exported here: this is the
// package's pausekit/arbitraries). Indices pick among the processes that
// can act at that moment, and a step the static rules
// (src/scenario/load.ts) would refuse is left out, so every plan (and every
// shrunk plan) plays as a valid scenario.
import fc from 'fast-check';
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { applyStep } from '../engines/model/engine.ts';
import { checkRules } from '../scenario/rules.ts';
import { failIn } from '../scenario/shape.ts';
import { InvariantChecker } from './invariants.ts';
import type { Violation } from './invariants.ts';
import { ModelModule, type ModelWorld, type Mutant } from '../engines/model/wasm.ts';
import type { Design, InitConfig, Observation, Scenario, SignalName, Step } from '../scenario/types.ts';
import { DEEP_MAX_NAMED, DEEP_MAX_STEPS, opArbitrary, planArbitrary, planInitConfig, readable, rememberPlay, type Op, type Plan, type PlayResult } from './plans.ts';

export {
  DEEP_MAX_NAMED, DEEP_MAX_STEPS, DISPOSITION_SIGNALS, PLAN_PROGRAM, SCENARIO_SIGNALS, deepOpArbitrary, deepPlanArbitrary, describeOp, describePlan,
  describePlanInit, describeScenario, opArbitrary, planArbitrary, planInitArbitrary, planInitConfig,
} from './plans.ts';
export type { Op, Plan, PlanInit, PlayResult } from './plans.ts';

const MAX_NAMED = 8;

/** How a plan plays: its named processes' limit, and what a deep plan does more. */
interface Playing {
  maxNamed: number;
  deep: boolean;
  /** parseScenario's static rule S5: a step so far may have ended pause as PID 1. */
  ended: boolean;
}

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

// The list's i-th (round), or undefined for an empty list.
const pick = (list: string[], i: number): string | undefined => list[i % Math.max(1, list.length)];

// Whether pause is alive (running or stopped).
function pauseAlive(world: ModelWorld): boolean {
  const state = world.pause().state;
  return state === 'running' || state === 'stopped';
}

// The name a new process gets, or null when the plan has no room for one
// (or pause's namespace is gone).
function newName(world: ModelWorld, playing: Playing): string | null {
  const program = world.program === undefined ? 0 : 1;
  if (world.names.length >= playing.maxNamed + program || (world.pid1 && !pauseAlive(world))) return null;
  return `p${world.names.length + 1 - program}`;
}

// The concrete step a one-step operation means in this world now, or null
// to skip it. Once a step may have ended pause as PID 1 (playing.ended),
// only signals from outside to pause are allowed (rule S5).
function concretize(world: ModelWorld, op: Op, playing: Playing): Step | null {
  const alive = pauseAlive(world);
  if (world.pid1 && playing.ended) {
    if (op.kind !== 'signal' || !alive) return null;
    return { event: 'signal', target: 'pause', signal: op.signal, from: 'outside' };
  }
  switch (op.kind) {
    case 'spawn': {
      const name = newName(world, playing);
      if (name === null) return null;
      const actors = running(world, 'fork');
      // A deep plan's init program forks a third of the processes (toPause).
      const programForks = playing.deep && op.toPause && world.program !== undefined && world.process(world.program).state === 'running';
      const parent = programForks ? world.program! : op.fromOutside ? 'outside' : pick(actors, op.actor) ?? 'outside';
      return { event: 'spawn', name, parent, reaps: op.reaps };
    }
    case 'exit': {
      const name = pick(running(world, 'exit'), op.actor);
      return name === undefined ? null : { event: 'exit', name, code: op.code };
    }
    case 'subreaper': {
      const name = pick(running(world, 'other'), op.actor);
      return name === undefined ? null : { event: 'subreaper', name };
    }
    case 'disposition': {
      const name = pick(running(world, 'other'), op.actor);
      return name === undefined ? null : { event: 'disposition', name, signal: op.handled, action: op.action };
    }
    case 'signal': {
      const targets = world.names.filter((name) => world.process(name).state !== 'gone');
      const toPause = op.toPause || targets.length === 0;
      if (toPause && !alive) return null;
      const target = toPause ? 'pause' : pick(targets, op.target)!;
      const from = op.fromOutside ? 'outside' : pick(running(world, 'other'), op.actor) ?? 'outside';
      return { event: 'signal', target, signal: op.signal, from };
    }
    default:
      return null;
  }
}

// A process's living descendants (running, stopped), parents before children.
function below(world: ModelWorld, root: string): string[] {
  const found: string[] = [];
  for (let level = [root]; level.length > 0;) {
    level = world.names.filter((name) => level.includes(world.process(name).parent ?? '') && ['running', 'stopped'].includes(world.process(name).state));
    found.push(...level);
  }
  return found;
}

// Whether a named process can still send a signal (outside always can).
const canSend = (world: ModelWorld, from: string): boolean => from === 'outside' || world.process(from).state === 'running';
// Whether a process (or pause) can still be signalled.
const signallable = (world: ModelWorld, name: string): boolean => (name === 'pause' ? pauseAlive(world) : world.process(name).state !== 'gone');

// A chain: each link forks the next, every other one (each, with toPause)
// becomes a subreaper. A link that did not start ends the chain.
function* chain(world: ModelWorld, op: Op, playing: Playing): Generator<Step> {
  let parent = op.fromOutside ? 'outside' : pick(running(world, 'fork'), op.actor) ?? 'outside';
  for (let link = 0; link < (op.links ?? 2); link++) {
    const name = newName(world, playing);
    if (name === null || !canSend(world, parent)) return;
    yield { event: 'spawn', name, parent, reaps: op.reaps };
    if (!world.names.includes(name)) return;
    if ((op.toPause || link % 2 === 0) && world.process(name).state === 'running') yield { event: 'subreaper', name };
    parent = name;
  }
}

// A burst: one signal, one sender, to up to `links` named processes (from
// the target-th on), and to pause with toPause.
function* burst(world: ModelWorld, op: Op): Generator<Step> {
  const from = op.fromOutside ? 'outside' : pick(running(world, 'other'), op.actor) ?? 'outside';
  const named = world.names.filter((name) => world.process(name).state !== 'gone');
  const first = op.target % Math.max(1, named.length);
  const targets = [...named.slice(first), ...named.slice(0, first)].slice(0, op.links ?? 2);
  for (const target of op.toPause ? [...targets, 'pause'] : targets) {
    if (canSend(world, from) && signallable(world, target)) yield { event: 'signal', target, signal: op.signal, from };
  }
}

// A stopped subtree: SIGSTOP from outside to a process and all below it,
// then (op.then) a signal to each, and SIGCONT to each.
function* stopTree(world: ModelWorld, op: Op): Generator<Step> {
  const living = world.names.filter((name) => ['running', 'stopped'].includes(world.process(name).state));
  const root = pick(living, op.target);
  if (root === undefined) return;
  const tree = [root, ...below(world, root)];
  const signals: SignalName[] = ['SIGSTOP', ...(op.then === 'stay' ? [] : [op.signal]), ...(op.then === 'signal-and-continue' ? ['SIGCONT' as const] : [])];
  for (const signal of signals) {
    for (const target of tree) if (signallable(world, target)) yield { event: 'signal', target, signal, from: 'outside' };
  }
}

// The steps an operation means, one at a time: each computed from the world
// the steps before it left (a step the static rules refused never
// happened). A deep plan's chains, bursts and stopped subtrees are several.
function* stepsOf(world: ModelWorld, op: Op, playing: Playing): Generator<Step> {
  if (op.kind === 'chain' || op.kind === 'burst' || op.kind === 'stop-tree') {
    if (world.pid1 && playing.ended) return;
    yield* op.kind === 'chain' ? chain(world, op, playing) : op.kind === 'burst' ? burst(world, op) : stopTree(world, op);
    return;
  }
  const step = concretize(world, op, playing);
  if (step !== null) yield step;
}

// Whether a step would end pause, or init mode's program (then pause goes
// too): played on a copy of the world, settled, with the coverage counters
// stopped. A livelock does not count as an end.
function wouldEnd(model: ModelModule, world: ModelWorld, step: Step): boolean {
  return model.uncounted(() => {
    const copy = world.clone();
    try {
      applyStep(copy, step, 0);
      copy.settle();
      const program = copy.program === undefined ? undefined : copy.process(copy.program).state;
      return !pauseAlive(copy) || program === 'zombie' || program === 'gone';
    } catch (error) {
      if (error instanceof PausekitError && error.details.kind === 'livelock') return false;
      throw error;
    } finally {
      copy.dispose();
    }
  });
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

// Applies one step of a plan, settles the world (unless interleaved: then
// pause's own steps come from the schedule) and observes it: the
// violations found, a livelock included. A step the model refuses throws,
// with the scenario so far in its details.
function playStep(world: ModelWorld, step: Step, index: number, on: { settles: boolean; checker: InvariantChecker | null; observations: Observation[]; scenario: () => Scenario }): Violation[] {
  try {
    applyStep(world, step, index);
  } catch (error) {
    if (error instanceof PausekitError) error.details['scenario'] = on.scenario();
    throw error;
  }
  const livelock = on.settles ? settleOrLivelock(world, index) : null;
  if (livelock !== null) return [livelock];
  const observation = world.observe(index);
  on.observations.push(observation);
  return on.checker?.check(world, observation, step, on.settles) ?? [];
}

// The static rules decide which steps a plan may play: a step they refuse
// is left out. (A plan's steps always have their shape, so only the rules
// pass of parseScenario is asked.)
function rulesAllow(scenario: Scenario): boolean {
  try {
    checkRules(scenario, failIn('plan'));
    return true;
  } catch (error) {
    if (error instanceof PausekitError) return false;
    throw error;
  }
}

/**
 * Plays a plan on a fresh world of the given design (and mutant), checking
 * every invariant after each event; stops at the first violation. A livelock
 * is invariant 6. `check: false` leaves the invariants unchecked (a livelock
 * still stops it): for those who only want the scenario and its
 * observations, as the differential does.
 */
export function playPlan(model: ModelModule, plan: Plan, options: { design: Design; mutant?: Mutant; check?: boolean } = { design: 'sigwait' }): PlayResult {
  checkArgument(model instanceof ModelModule, 'playPlan(model, plan, options): model', 'what loadModel() returns', model);
  checkArgument(isRecord(plan) && Array.isArray(plan.ops), 'playPlan(model, plan, options): plan', 'a plan (planArbitrary)', plan);
  const init = plan.init === undefined ? undefined : planInitConfig(plan.init);
  const world = model.create({ design: options.design, mutant: options.mutant, pid1: plan.pid1, init, inherit: plan.inherit });
  const checker = options.check === false ? null : new InvariantChecker(plan.pid1, { init, interleaved: plan.schedule !== undefined });
  const steps: Step[] = [];
  const schedule: number[] = [];
  const observations: Observation[] = [];
  const scenarioOf = (list: Step[]): Scenario => ({
    version: 1, pid1: plan.pid1, ...(init === undefined ? {} : { init }), ...(plan.inherit === undefined ? {} : { inherit: plan.inherit }), steps: list,
  });
  const allowed = (step: Step): boolean => rulesAllow(scenarioOf([...steps, step]));
  const result = (violations: Violation[]): PlayResult => {
    const played = { scenario: scenarioOf(steps), schedule: plan.schedule ? schedule : null, observations, violations };
    rememberPlay(plan, played);
    return played;
  };
  try {
    world.settle(-1);
    const first = world.observe(-1);
    observations.push(first);
    let violations = checker?.check(world, first, null, true) ?? [];
    if (violations.length > 0) return result(violations);
    const playing: Playing = { maxNamed: plan.deep ? DEEP_MAX_NAMED : MAX_NAMED, deep: plan.deep === true, ended: false };
    // A deep plan plays at most DEEP_MAX_STEPS steps, and holds back the
    // steps that would end pause until its last quarter (of its operations,
    // or of those steps).
    const lateFrom = plan.deep ? Math.floor((plan.ops.length * 3) / 4) : 0;
    const early = (position: number) => position < lateFrom && steps.length < (DEEP_MAX_STEPS * 3) / 4;
    // Interleaved: pause's steps before the next event, taken once per event
    // and before the event is picked, so the event fits the world those
    // steps leave (they may end the program, or pause and its namespace).
    let taken = 0;
    let scheduledFor = -1;
    for (const [position, op] of plan.ops.entries()) {
      const steps_ = stepsOf(world, op, playing);
      for (;;) {
        if (plan.deep && steps.length >= DEEP_MAX_STEPS) break;
        const index = steps.length;
        if (plan.schedule && scheduledFor !== index) {
          scheduledFor = index;
          const budget = plan.schedule[index % plan.schedule.length] ?? 0;
          for (let n = 0; n < budget && world.step(); n++) taken++;
        }
        const next = steps_.next();
        if (next.done) break;
        const step = next.value;
        if (!allowed(step) || (early(position) && wouldEnd(model, world, step))) continue;
        playing.ended ||= mayEndPause(step, init);
        if (plan.schedule) {
          schedule.push(taken);
          taken = 0;
        }
        steps.push(step);
        violations = playStep(world, step, index, { settles: !plan.schedule, checker, observations, scenario: () => scenarioOf(steps) });
        if (violations.length > 0) return result(violations);
      }
    }
    if (plan.schedule) {
      const last = steps.length - 1;
      const livelock = settleOrLivelock(world, last);
      if (livelock !== null) return result([livelock]);
      const observation = world.observe(last);
      observations.push(observation);
      violations = checker?.check(world, observation, null, true) ?? [];
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
