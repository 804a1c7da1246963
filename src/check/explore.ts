// Exhaustive exploration on the model: every interleaving of pause's own
// steps with a small scenario's events. Breadth-first over states (equal
// states are merged), so the first invariant violation found has a shortest
// trace. `pausekit explore` (src/cli/explore.ts) prints what this finds.
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { applyStep } from '../engines/model/engine.ts';
import { InvariantChecker, type Violation } from './invariants.ts';
import { INIT_MUTANTS, loadModel, type ModelWorld, type Mutant, type WasiRuntime } from '../engines/model/wasm.ts';
import { counted, describeStep } from '../scenario/report.ts';
import type { Design, Observation, Scenario, Step } from '../scenario/types.ts';

export const DEFAULT_MAX_STATES = 200_000;
/**
 * The most states explore may be allowed to keep (--max-states): each holds
 * a world of the model, a few KiB of its memory, which cannot grow past 4 GiB.
 */
export const MAX_EXPLORE_STATES = 1_000_000;
/**
 * The longest trace explore follows. Every event of the scenario is one
 * action on every trace, so a scenario with this many steps is refused at
 * once; pause's own steps make traces longer. The cost of a state grows
 * with its depth: 200 events to pause already take minutes.
 */
export const MAX_EXPLORE_DEPTH = 200;

export interface Outcome {
  /** The final observation, with every stderr line of the run. */
  final: Omit<Observation, 'step'>;
  /** How many interleavings end here. */
  interleavings: number;
  /** One interleaving that ends here. */
  example: string[];
}

export interface Exploration {
  states: number;
  interleavings: number;
  outcomes: Outcome[];
  /** The first broken invariant (breadth-first: a shortest trace), or null. */
  violation: { violation: Violation; trace: string[] } | null;
}

interface Node {
  world: ModelWorld;
  checker: InvariantChecker;
  next: number;          // index of the next scenario event
  stderr: string[];      // every line so far
  parent: Node | null;
  action: string;
  paths: number;         // interleavings reaching this node
  depth: number;         // actions since the start
  state: string;         // the world's own state key
  /**
   * Every event on the way came while pause was blocked (could not step):
   * the order a settled run has, where invariant 10 (no zombie left at
   * pause's exit) must hold; with events racing pause's last steps an
   * orphan may die after its last waitpid, so it is checked only here.
   */
  calm: boolean;
}

function traceOf(node: Node): string[] {
  const actions: string[] = [];
  for (let n: Node | null = node; n !== null && n.parent !== null; n = n.parent) actions.push(n.action);
  return actions.reverse();
}

/**
 * Why a mutant would change nothing in this scenario, or null when it may
 * show: init mode's bugs need a program, the reference mode's shutdown bugs
 * need its shutdown, and autoreap's reference mode never calls waitpid.
 */
export function inertMutant(mutant: Mutant, design: Design, scenario: Scenario): string | null {
  const initMode = scenario.init !== undefined;
  if (INIT_MUTANTS.includes(mutant) && !initMode) {
    return `${mutant} is a bug of init mode, and the scenario has no "init" object`;
  }
  if ((mutant === 'NO_TERM' || mutant === 'WRONG_CODE') && initMode) {
    return `${mutant} is a bug of the reference mode's shutdown, and the scenario is in init mode (pause forwards SIGTERM to its program)`;
  }
  if ((mutant === 'REAP_ONCE' || mutant === 'REAP_ECHILD') && design === 'autoreap' && !initMode) {
    return `${mutant} is a bug of the waitpid loop, and the autoreap design's reference mode never calls waitpid (the kernel reaps); ` +
      'it shows in init mode (a scenario with an "init" object)';
  }
  return null;
}

export interface ExploreOptions {
  design: Design;
  mutant?: Mutant;
  maxStates?: number;
  /** The longest trace followed (default MAX_EXPLORE_DEPTH). */
  maxDepth?: number;
  wasi?: WasiRuntime;
}

/** What can happen next from a node: pause takes one step, or the next event comes. */
interface Successor {
  world: ModelWorld;
  action: string;
  /** The scenario step its observation belongs to. */
  step: number;
  event: Step | null;
}

/**
 * Invariant 10 (init mode) where pause has just exited, on a calm way
 * (Node.calm): no zombie child left unreaped. (zombiesAtExit is -1 where
 * the model does not count them: the reference mode.)
 */
function zombiesLeft(node: Node, world: ModelWorld, step: number): Violation[] {
  if (world.program === undefined || world.pause().state !== 'exited' || node.world.pause().state === 'exited' || world.zombiesAtExit <= 0) return [];
  const count = world.zombiesAtExit;
  return [{ invariant: 10, step, message: `pause exited with ${count} zombie child${count === 1 ? '' : 'ren'} left unreaped` }];
}

/** One breadth-first search: the states seen, the outcomes reached, the first violation. */
class Search {
  readonly seen = new Map<string, Node>();
  readonly outcomes = new Map<string, Outcome>();
  /** Every node kept, so that each world is disposed at the end. */
  readonly all: Node[] = [];
  readonly result: Exploration = { states: 1, interleavings: 0, outcomes: [], violation: null };

  constructor(private readonly scenario: Scenario, private readonly maxStates: number, private readonly maxDepth: number) {}

  /** The error for a trace longer than maxDepth actions. */
  tooDeep(): PausekitError {
    return new PausekitError(
      `explore: traces longer than ${this.maxDepth} actions: the scenario (${counted(this.scenario.steps.length, 'step')}) is too long to explore exhaustively; shorten it`,
      { field: 'steps', value: this.scenario.steps.length, kind: 'limit' });
  }

  /** Equal states at equal depth merge, so every interleaving is counted once. */
  static key(n: { state: string; next: number; stderr: string[]; depth: number }): string {
    return `${n.depth}|${n.next}|${n.stderr.join('\n')}|${n.state}`;
  }

  /**
   * Adds a node's new successors to `next`. After a broken invariant the
   * rest of the level is still expanded (its states count), but a pause that
   * spins ends this node's expansion at once.
   */
  expand(node: Node, next: Node[]): void {
    const successors = this.successors(node);
    for (const [i, successor] of successors.entries()) {
      const child = this.visit(node, successor);
      if (child === 'livelock') {
        for (const rest of successors.slice(i + 1)) rest.world.dispose();
        return;
      }
      if (child !== null) next.push(child);
    }
  }

  /** pause's next step (or, when it cannot step, the outcome it settled in), and the next event. */
  private successors(node: Node): Successor[] {
    const successors: Successor[] = [];
    const stepped = node.world.clone();
    const phase = stepped.phase;
    if (stepped.step()) {
      const wrote = stepped.peekStderr().slice(node.world.peekStderr().length);
      const what = wrote.length > 0 ? `writes "${wrote.join(' ')}"` : `${phase} -> ${stepped.phase} (${stepped.pause().state})`;
      successors.push({ world: stepped, action: `pause: ${what}`, step: Math.max(node.next - 1, -1), event: null });
    } else {
      stepped.dispose();
      if (node.next === this.scenario.steps.length) this.settledAt(node);
    }
    if (node.next < this.scenario.steps.length) {
      const event = this.scenario.steps[node.next]!;
      const world = node.world.clone();
      // An event its process cannot do yet (stopped until pause forwards
      // the SIGCONT it was sent) waits: it is not one of this state's
      // successors, and comes once pause has stepped.
      if (canApply(world, event, node.next)) successors.push({ world, action: `event ${node.next}: ${describeStep(event)}`, step: node.next, event });
    }
    return successors;
  }

  /** A complete interleaving ends at this node: count it under its outcome. */
  private settledAt(node: Node): void {
    const final = node.world.observe(node.next - 1);
    const outcome = { pause: final.pause, processes: final.processes, stderr: node.stderr };
    const key = JSON.stringify(outcome);
    const known = this.outcomes.get(key);
    if (known) known.interleavings += node.paths;
    else this.outcomes.set(key, { final: outcome, interleavings: node.paths, example: traceOf(node) });
    this.result.interleavings += node.paths;
  }

  /** The node a successor leads to; null when it merges with one seen; 'livelock' when pause spins. */
  private visit(node: Node, s: Successor): Node | null | 'livelock' {
    const advanced = s.event !== null ? node.next + 1 : node.next;
    const observation = s.world.observe(s.step);
    const stderr = [...node.stderr, ...observation.stderr];
    const state = s.world.key();
    if (s.event === null && state === node.state && stderr.length === node.stderr.length) {
      // A pause step that changes nothing: it will spin forever.
      this.result.violation ??= {
        violation: { invariant: 6, step: s.step, message: `pause never blocks (livelock): in ${s.world.phase}, its step changes nothing` },
        trace: [...traceOf(node), s.action],
      };
      s.world.dispose();
      return 'livelock';
    }
    if (node.depth + 1 > this.maxDepth) throw this.tooDeep();
    const key = Search.key({ state, next: advanced, stderr, depth: node.depth + 1 });
    const known = this.seen.get(key);
    const calm = node.calm && (s.event === null || !node.world.canStep());
    if (known !== undefined) {
      // Merged at the same depth, before either is expanded: a calm way here makes it calm.
      known.paths += node.paths;
      known.calm ||= calm;
      s.world.dispose();
      return null;
    }
    const checker = node.checker.clone();
    const settled = !s.world.canStep();
    const violations = checker.check(s.world, observation, s.event, settled && advanced === this.scenario.steps.length);
    if (calm && violations.length === 0) violations.push(...zombiesLeft(node, s.world, s.step));
    const child: Node = { world: s.world, checker, next: advanced, stderr, parent: node, action: s.action, paths: node.paths, depth: node.depth + 1, state, calm };
    this.seen.set(key, child);
    this.all.push(child);
    this.result.states++;
    if (violations.length > 0) this.result.violation ??= { violation: violations[0]!, trace: traceOf(child) };
    if (this.result.states > this.maxStates) {
      throw new PausekitError(
        `explore: more than ${this.maxStates} distinct states: the scenario (${counted(this.scenario.steps.length, 'step')}) is too big to explore exhaustively; ` +
        'shorten it or raise --max-states', { field: 'max-states', value: this.maxStates, kind: 'limit' });
    }
    return child;
  }
}

/** The options explore refuses: a state limit out of range, a mutant that would change nothing. */
export function checkExploreOptions(scenario: Scenario, options: ExploreOptions): void {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  if (!Number.isSafeInteger(maxStates) || maxStates < 1 || maxStates > MAX_EXPLORE_STATES) {
    throw new PausekitError(`explore: --max-states: expected 1..${MAX_EXPLORE_STATES} (each state holds a world of the model), got ${maxStates}`,
      { field: 'max-states', value: maxStates, kind: 'limit' });
  }
  const inert = options.mutant === undefined ? null : inertMutant(options.mutant, options.design, scenario);
  if (inert !== null) {
    throw new PausekitError(`explore: --mutant ${options.mutant} would change nothing here: ${inert}`, { field: 'mutant', value: options.mutant });
  }
}

// Applies an event to a world: false (and the world disposed) if the model
// refuses it in this state, as a step on a process that is not running.
function canApply(world: ModelWorld, event: Step, index: number): boolean {
  try {
    applyStep(world, event, index);
    return true;
  } catch (error) {
    if (!(error instanceof PausekitError)) throw error;
    world.dispose();
    return false;
  }
}

/** Explores a scenario; throws a PausekitError past maxStates, or past maxDepth actions (default MAX_EXPLORE_DEPTH). */
export async function explore(scenario: Scenario, options: ExploreOptions = { design: 'sigwait' }): Promise<Exploration> {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'explore(scenario, options): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  checkExploreOptions(scenario, options);
  const search = new Search(scenario, options.maxStates ?? DEFAULT_MAX_STATES, options.maxDepth ?? MAX_EXPLORE_DEPTH);
  if (scenario.steps.length >= (options.maxDepth ?? MAX_EXPLORE_DEPTH)) throw search.tooDeep();
  const model = await loadModel({ wasi: options.wasi });
  const start = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1, init: scenario.init, inherit: scenario.inherit });
  start.settle(-1);
  const checker = new InvariantChecker(scenario.pid1, { init: scenario.init, interleaved: true });
  const first = start.observe(-1);
  const root: Node = { world: start, checker, next: 0, stderr: [...first.stderr], parent: null, action: 'start', paths: 1, depth: 0, state: start.key(), calm: true };
  search.all.push(root);
  try {
    const rootViolations = checker.check(start, first, null, true);
    if (rootViolations.length > 0) {
      search.result.violation = { violation: rootViolations[0]!, trace: [] };
      return search.result;
    }
    search.seen.set(Search.key(root), root);
    for (let frontier = [root]; frontier.length > 0 && search.result.violation === null;) {
      const next: Node[] = [];
      for (const node of frontier) search.expand(node, next);
      frontier = next;
    }
  } finally {
    for (const n of search.all) n.world.dispose();
  }
  search.result.outcomes = [...search.outcomes.values()].sort((a, b) => b.interleavings - a.interleavings);
  return search.result;
}
