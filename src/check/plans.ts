// Plans: the abstract scenarios fast-check draws, their arbitraries, and
// their words. A plan is a list of abstract operations (spawn / exit /
// signal / subreaper / disposition with indices instead of names, and in
// deep plans chains, bursts and stopped subtrees) plus, for interleaved
// runs, how many of pause's steps to take before each event instead of
// settling, and optionally init mode (pause -- PROGRAM, the program named
// "app"). arbitraries.ts plays a plan on the model as a valid scenario.
import fc from 'fast-check';
import { checkArgument, isRecord } from '../errors.ts';
import { describeInherit, describeStep } from '../scenario/report.ts';
import type { Violation } from './invariants.ts';
import type { DispositionAction, Inherit, InitConfig, Observation, Scenario, SignalName } from '../scenario/types.ts';

export interface Op {
  /**
   * One step, or in deep plans a few: 'chain', a line of processes each
   * forking the next, every other one (every one, with toPause) a
   * subreaper; 'burst', one signal to many processes; 'stop-tree', SIGSTOP
   * to a process and every process below it, then (`then`) each sent a
   * signal, and each continued.
   */
  kind: 'spawn' | 'exit' | 'signal' | 'subreaper' | 'disposition' | 'chain' | 'burst' | 'stop-tree';
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
  /** Deep plans: a chain's length, or the most processes a burst reaches. */
  links?: number;
  /** Deep plans: what comes after a subtree stops. */
  then?: 'stay' | 'signal' | 'signal-and-continue';
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
  /**
   * A deep plan (deepPlanArbitrary): up to DEEP_MAX_STEPS steps and
   * DEEP_MAX_NAMED named processes (else 8), init mode's program forks a
   * third of the processes, and every step that would end pause (or its
   * program) is left out until the last quarter of the operations (or of
   * DEEP_MAX_STEPS), so that a long plan plays long.
   */
  deep?: boolean;
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

// A plan's optional parts, left out where absent (a plan stays plain data
// that compares and serialises as written).
function withOptional<T extends object>(plan: T, init: PlanInit | undefined, inherit: Inherit | undefined): T & { init?: PlanInit; inherit?: Inherit } {
  return { ...plan, ...(init === undefined ? {} : { init }), ...(inherit === undefined ? {} : { inherit }) };
}

const weighted = <T>(...choices: [number, T][]): fc.Arbitrary<T> =>
  fc.oneof(...choices.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })));

// An operation's fields but its kind and toPause, as both kinds of plan
// draw them (in this order: fc.record draws its keys in order, and a seed's
// plans stay what they were).
const OP_WHO = {
  // Half the time the first candidate: the bushiest parent to fork from,
  // the process whose exit orphans the most zombies (see running()).
  actor: fc.oneof(fc.constant(0), fc.nat(7)),
  target: fc.nat(7),
};
const OP_WHAT = {
  fromOutside: weighted([1, true], [1, false]),
  signal: fc.constantFrom(...SCENARIO_SIGNALS),
  code: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
  reaps: weighted([2, false], [1, true]),
  handled: fc.constantFrom(...DISPOSITION_SIGNALS),
  action: weighted<DispositionAction>([3, 'catch'], [2, 'block'], [2, 'ignore'], [2, 'default']),
};

/** One abstract operation, weighted towards growing trees that leave orphans. */
export const opArbitrary: fc.Arbitrary<Op> = fc.record({
  kind: weighted<Op['kind']>([4, 'spawn'], [3, 'exit'], [3, 'signal'], [1, 'subreaper'], [2, 'disposition']),
  ...OP_WHO,
  toPause: weighted([1, true], [2, false]),
  ...OP_WHAT,
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
    return inWords(withOptional(rest, i, h), describePlan);
  };
  const inherit = inheritArbitrary;
  if (!options.interleave) return fc.record({ pid1, ops, init, inherit }).map(plan);
  return fc.record({ pid1, ops, init, inherit, schedule: fc.array(fc.nat(4), { minLength: maxOps, maxLength: maxOps }) }).map(plan);
}

/**
 * One operation of a deep plan: as opArbitrary's, and chains, bursts and
 * stopped subtrees; signals to pause, which end it soonest, less often.
 */
export const deepOpArbitrary: fc.Arbitrary<Op> = fc.record({
  kind: weighted<Op['kind']>([5, 'spawn'], [3, 'exit'], [4, 'signal'], [1, 'subreaper'], [2, 'disposition'], [2, 'chain'], [2, 'burst'], [1, 'stop-tree']),
  ...OP_WHO,
  toPause: weighted([1, true], [3, false]),
  ...OP_WHAT,
  links: fc.integer({ min: 2, max: 3 }),
  then: weighted<NonNullable<Op['then']>>([1, 'stay'], [1, 'signal'], [2, 'signal-and-continue']),
}).map((op) => inWords(op, describeOp));

/** The named processes a deep plan may start (its chains and bursts need room). */
export const DEEP_MAX_NAMED = 14;

/** The most steps a deep plan plays (its chains, bursts and stopped subtrees are several each). */
export const DEEP_MAX_STEPS = 32;

/**
 * A deep plan: as planArbitrary's (PID 1 most of the time, init mode in one
 * plan of three unless told), with 1 to maxOps (default 32) operations of
 * deepOpArbitrary, played as Plan.deep says. What the differential at
 * scale plays.
 */
export function deepPlanArbitrary(options: { minOps?: number; maxOps?: number; pid1?: boolean; init?: 'never' | 'always' | 'sometimes' } = {}): fc.Arbitrary<Plan> {
  const maxOps = options.maxOps ?? 32;
  const minOps = Math.min(options.minOps ?? 1, maxOps);
  const pid1 = options.pid1 === undefined ? fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.constant(false)) : fc.constant(options.pid1);
  const mode = options.init ?? 'sometimes';
  const init: fc.Arbitrary<PlanInit | undefined> = mode === 'never' ? fc.constant(undefined)
    : mode === 'always' ? planInitArbitrary
    : fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: planInitArbitrary });
  const ops = fc.array(deepOpArbitrary, { minLength: minOps, maxLength: maxOps, size: 'max' });
  return fc.record({ pid1, ops, init, inherit: inheritArbitrary }).map(({ init: i, inherit: h, ...rest }) => {
    const plan: Plan = { ...withOptional(rest, i, h), deep: true };
    return inWords(plan, describePlan);
  });
}

/** The init object of a plan's scenario. */
export function planInitConfig(init: PlanInit): InitConfig {
  checkArgument(isRecord(init), 'planInitConfig(init): init', "a plan's init options (planInitArbitrary)", init);
  return { name: PLAN_PROGRAM, ...init };
}

export interface PlayResult {
  scenario: Scenario;
  /** Pause steps taken before each event (interleaved runs). */
  schedule: number[] | null;
  observations: Observation[];
  violations: Violation[];
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
export function readable(scenario: Scenario): Scenario {
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

/** playPlan played this plan so: describePlan() prints the scenario it played as. */
export function rememberPlay(plan: Plan, played: PlayResult): void {
  PLAYED.set(plan, played);
}

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
    case 'chain':
      return `a chain of ${op.links ?? 2} (from ${actor('running process')}), ${op.toPause ? 'each' : 'every other one'} a subreaper, ${op.reaps ? 'reaping' : 'never reaping'}`;
    case 'burst':
      return `${actor('running process')} sends ${op.signal} to up to ${op.links ?? 2} processes from ${pickWords(op.target, 'named process')}${op.toPause ? ', and pause' : ''}`;
    case 'stop-tree':
      return `outside stops ${pickWords(op.target, 'named process')} and every process below it` +
        (op.then === 'signal' ? `, then sends each ${op.signal}` : op.then === 'signal-and-continue' ? `, then sends each ${op.signal} and continues it` : '');
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

