// `pausekit explore`: every interleaving of pause's own steps with a small
// scenario's events, on the model. Breadth-first over states (equal states
// are merged), so the first invariant violation found has a shortest trace.
// Prints the reachable outcomes and, if any, the shortest trace to a broken
// invariant. Exit 0: every invariant holds everywhere; 1: one breaks.
import { choice, parseCommand, positiveInteger, usageError } from './args.ts';
import { PausekitError } from './errors.ts';
import { applyStep } from './engine-model.ts';
import { InvariantChecker, type Violation } from './invariants.ts';
import { loadModel, MUTANTS, type ModelWorld, type Mutant } from './model.ts';
import { describeStep } from './report.ts';
import { loadScenario } from './scenario.ts';
import type { Design, Observation, Scenario } from './types.ts';

const USAGE = `usage: pausekit explore <scenario.json> [--design sigwait|handlers] [--mutant NAME] [--max-states N] [--json]

Enumerates every interleaving of pause's atomic steps (deliver or take a
signal, one waitpid, return from a handler, write, exit) with the scenario's
events, on the model. Prints every reachable outcome and the shortest trace
to any broken invariant. Exit 0: the invariants hold; 1: one breaks.

  --design D        sigwait (default) or handlers
  --mutant NAME     explore a catalogued bug (${MUTANTS.join(', ')})
  --max-states N    give up beyond N distinct states (default 200000)
  --json            print the result as JSON`;

export const DEFAULT_MAX_STATES = 200_000;

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

/** Explores a scenario; throws a PausekitError past maxStates. */
export async function explore(scenario: Scenario, options: { design: Design; mutant?: Mutant; maxStates?: number }): Promise<Exploration> {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const model = await loadModel();
  const start = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1 });
  start.settle(-1);
  const checker = new InvariantChecker(scenario.pid1);
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

function describeOutcome(o: Outcome): string {
  const p = o.final.pause;
  const pause = p.state === 'exited' ? `exited ${p.code}` : p.state === 'killed' ? `killed by ${p.signal}` : p.state;
  const processes = Object.entries(o.final.processes).map(([name, s]) => `${name} ${s.state}${s.parent ? ` (parent ${s.parent})` : ''}`);
  return [`pause ${pause}`, processes.length > 0 ? processes.join(', ') : 'no processes', `stderr ${JSON.stringify(o.final.stderr)}`].join('; ');
}

const SPEC = {
  name: 'explore',
  usage: USAGE,
  options: {
    design: { type: 'string', default: 'sigwait' },
    mutant: { type: 'string' },
    'max-states': { type: 'string', default: String(DEFAULT_MAX_STATES) },
    json: { type: 'boolean', default: false },
  },
  positionals: true,
} as const;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  const [file, ...more] = positionals;
  if (file === undefined) throw usageError(SPEC, 'which scenario? (a scenario.json file)', { field: 'file' });
  if (more.length > 0) {
    throw new PausekitError(`explore: one scenario file at a time (got ${positionals.join(' and ')})`, { field: 'file', value: more[0] });
  }
  const options = {
    file,
    design: choice('explore', 'design', values.design, ['sigwait', 'handlers']),
    mutant: values.mutant === undefined ? undefined : choice('explore', 'mutant', values.mutant, MUTANTS),
    maxStates: positiveInteger('explore', 'max-states', values['max-states']),
    json: values.json,
  };
  const scenario = loadScenario(options.file);
  const result = await explore(scenario, options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.violation === null ? 0 : 1;
  }
  const lines = [
    `${options.file} (${options.design} design${options.mutant ? `, mutant ${options.mutant}` : ''}): ` +
    `${result.states} states, ${result.interleavings} complete interleavings, ${result.outcomes.length} outcome(s)` +
    (result.violation === null ? '' : ' (stopped at the first broken invariant)'),
  ];
  result.outcomes.forEach((o, i) => {
    lines.push(`outcome ${i + 1} (${o.interleavings} interleavings): ${describeOutcome(o)}`);
  });
  if (result.violation === null) {
    lines.push('every invariant holds in every reachable state');
  } else {
    const v = result.violation;
    lines.push(`invariant ${v.violation.invariant} breaks: ${v.violation.message}`, `shortest trace (${v.trace.length} actions):`);
    v.trace.forEach((action, i) => lines.push(`  ${i + 1}. ${action}`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return result.violation === null ? 0 : 1;
}
