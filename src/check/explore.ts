// Exhaustive exploration on the model: every interleaving of pause's own
// steps with a small scenario's events. Breadth-first over states (equal
// states are merged), so the first invariant violation found has a shortest
// trace. `pausekit explore` (src/cli/explore.ts) prints what this finds.
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { applyStep } from '../engines/model/engine.ts';
import { InvariantChecker, type Violation } from './invariants.ts';
import { loadModel, type ModelWorld, type Mutant, type WasiRuntime } from '../engines/model/wasm.ts';
import { describeStep } from '../scenario/report.ts';
import type { Design, Observation, Scenario } from '../scenario/types.ts';

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
}

function traceOf(node: Node): string[] {
  const actions: string[] = [];
  for (let n: Node | null = node; n !== null && n.parent !== null; n = n.parent) actions.push(n.action);
  return actions.reverse();
}

/** Explores a scenario; throws a PausekitError past maxStates, or past maxDepth actions (default MAX_EXPLORE_DEPTH). */
export async function explore(
  scenario: Scenario,
  options: { design: Design; mutant?: Mutant; maxStates?: number; maxDepth?: number; wasi?: WasiRuntime } = { design: 'sigwait' },
): Promise<Exploration> {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'explore(scenario, options): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const maxDepth = options.maxDepth ?? MAX_EXPLORE_DEPTH;
  if (!Number.isSafeInteger(maxStates) || maxStates < 1 || maxStates > MAX_EXPLORE_STATES) {
    throw new PausekitError(`explore: --max-states: expected 1..${MAX_EXPLORE_STATES} (each state holds a world of the model), got ${maxStates}`,
      { field: 'max-states', value: maxStates, kind: 'limit' });
  }
  const tooDeep = (): PausekitError => new PausekitError(
    `explore: traces longer than ${maxDepth} actions: the scenario (${scenario.steps.length} steps) is too long to explore exhaustively; shorten it`,
    { field: 'steps', value: scenario.steps.length, kind: 'limit' });
  if (scenario.steps.length >= maxDepth) throw tooDeep();
  const model = await loadModel({ wasi: options.wasi });
  const start = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1, init: scenario.init });
  start.settle(-1);
  const checker = new InvariantChecker(scenario.pid1, { init: scenario.init, interleaved: true });
  const first = start.observe(-1);
  const root: Node = { world: start, checker, next: 0, stderr: [...first.stderr], parent: null, action: 'start', paths: 1, depth: 0, state: start.key() };
  const rootViolations = checker.check(start, first, null, true);
  const result: Exploration = { states: 1, interleavings: 0, outcomes: [], violation: null };
  if (rootViolations.length > 0) {
    result.violation = { violation: rootViolations[0]!, trace: [] };
    start.dispose();
    return result;
  }
  const seen = new Map<string, Node>();
  const outcomes = new Map<string, Outcome>();
  // Equal states at equal depth merge, so every interleaving is counted once.
  const keyOf = (n: { state: string; next: number; stderr: string[]; depth: number }) => `${n.depth}|${n.next}|${n.stderr.join('\n')}|${n.state}`;
  seen.set(keyOf(root), root);
  let frontier: Node[] = [root];
  const all: Node[] = [root];

  try {
    while (frontier.length > 0 && result.violation === null) {
      const next: Node[] = [];
      for (const node of frontier) {
        const successors: { world: ModelWorld; action: string; step: number; event: Scenario['steps'][number] | null }[] = [];
        // pause takes one step...
        const stepped = node.world.clone();
        const phase = stepped.phase;
        if (stepped.step()) {
          const wrote = stepped.peekStderr().slice(node.world.peekStderr().length);
          const what = wrote.length > 0 ? `writes "${wrote.join(' ')}"` : `${phase} -> ${stepped.phase} (${stepped.pause().state})`;
          successors.push({ world: stepped, action: `pause: ${what}`, step: Math.max(node.next - 1, -1), event: null });
        } else {
          stepped.dispose();
          if (node.next === scenario.steps.length) {
            const final = node.world.observe(node.next - 1);
            const outcome = { pause: final.pause, processes: final.processes, stderr: node.stderr };
            const key = JSON.stringify(outcome);
            const known = outcomes.get(key);
            if (known) known.interleavings += node.paths;
            else outcomes.set(key, { final: outcome, interleavings: node.paths, example: traceOf(node) });
            result.interleavings += node.paths;
          }
        }
        // ...or the next event happens first.
        if (node.next < scenario.steps.length) {
          const event = scenario.steps[node.next]!;
          const world = node.world.clone();
          applyStep(world, event, node.next);
          successors.push({ world, action: `event ${node.next}: ${describeStep(event)}`, step: node.next, event });
        }
        for (const s of successors) {
          const advanced = s.event !== null ? node.next + 1 : node.next;
          const observation = s.world.observe(s.step);
          const stderr = [...node.stderr, ...observation.stderr];
          const state = s.world.key();
          if (s.event === null && state === node.state && stderr.length === node.stderr.length) {
            // A pause step that changes nothing: it will spin forever.
            result.violation = {
              violation: { invariant: 6, step: s.step, message: `pause never blocks (livelock): in ${s.world.phase}, its step changes nothing` },
              trace: [...traceOf(node), s.action],
            };
            s.world.dispose();
            break;
          }
          if (node.depth + 1 > maxDepth) throw tooDeep();
          const key = keyOf({ state, next: advanced, stderr, depth: node.depth + 1 });
          const known = seen.get(key);
          if (known !== undefined) {
            known.paths += node.paths;
            s.world.dispose();
            continue;
          }
          const checker = node.checker.clone();
          const settled = !s.world.canStep();
          const violations = checker.check(s.world, observation, s.event, settled && advanced === scenario.steps.length);
          const child: Node = { world: s.world, checker, next: advanced, stderr, parent: node, action: s.action, paths: node.paths, depth: node.depth + 1, state };
          seen.set(key, child);
          all.push(child);
          next.push(child);
          result.states++;
          if (violations.length > 0 && result.violation === null) {
            result.violation = { violation: violations[0]!, trace: traceOf(child) };
          }
          if (result.states > maxStates) {
            throw new PausekitError(
              `explore: more than ${maxStates} distinct states: the scenario (${scenario.steps.length} steps) is too big to explore exhaustively; ` +
              'shorten it or raise --max-states', { field: 'max-states', value: maxStates, kind: 'limit' });
          }
        }
      }
      frontier = next;
    }
  } finally {
    for (const n of all) n.world.dispose();
  }
  result.outcomes = [...outcomes.values()].sort((a, b) => b.interleavings - a.interleavings);
  return result;
}
