// `pausekit explore`: every interleaving of pause's own steps with a small
// scenario's events, on the model (src/check/explore.ts does the search).
// Prints the reachable outcomes and, if any, the shortest trace to a broken
// invariant. Exit 0: every invariant holds everywhere; 1: one breaks.
import { choice, parseCommand, positiveInteger, scenarioArgument } from './args.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { DEFAULT_MAX_STATES, checkExploreOptions, explore, type Exploration, type Outcome } from '../check/explore.ts';
import { DEFAULT_WASI, INIT_MUTANTS, MUTANTS, REFERENCE_MUTANTS, WASI_RUNTIMES } from '../engines/model/wasm.ts';
import { loadScenario } from '../scenario/load.ts';
import { counted } from '../scenario/report.ts';
import { DESIGNS } from '../scenario/types.ts';
import { explorePage } from '../view/pages.ts';

const USAGE = `usage: pausekit explore SCENARIO [--design sigwait|handlers|autoreap] [--mutant NAME]
                        [--max-states N] [--wasi node|wasmer] [--json] [--html FILE]

Enumerates every interleaving of pause's atomic steps (deliver or take a
signal, one waitpid, return from a handler, write, exit) with the scenario's
events, on the model. Prints every reachable outcome and the shortest trace
to any broken invariant. Exit 0: the invariants hold; 1: one breaks.
SCENARIO is a scenario file, or the name of an example (pausekit examples).

  --design D        sigwait (default), handlers or autoreap
  --mutant NAME     explore a catalogued bug: ${REFERENCE_MUTANTS.join(', ')};
                    in init mode ${INIT_MUTANTS.slice(0, 3).join(', ')},
                    ${INIT_MUTANTS.slice(3).join(', ')} (refused where it would change nothing)
  --max-states N    give up beyond N distinct states (default 200000, at most 1000000)
  --wasi W          the model's WASI implementation: node (default) or wasmer
  --json            print the result as JSON
  --html FILE       also draw the trace to the broken invariant (or one interleaving) as
                    one HTML page
  --help            this text`;

const SPEC = {
  name: 'explore',
  usage: USAGE,
  options: {
    design: { type: 'string', default: 'sigwait' },
    mutant: { type: 'string' },
    'max-states': { type: 'string', default: String(DEFAULT_MAX_STATES) },
    wasi: { type: 'string', default: DEFAULT_WASI },
    json: { type: 'boolean', default: false },
    html: HTML_OPTION,
  },
  positionals: true,
} as const;

/** One outcome in a line: pause, every process, what pause wrote. */
function describeOutcome(o: Outcome): string {
  const p = o.final.pause;
  const pause = p.state === 'exited' ? `exited ${p.code}` : p.state === 'killed' ? `killed by ${p.signal}` : p.state;
  const processes = Object.entries(o.final.processes).map(([name, s]) => `${name} ${s.state}${s.parent ? ` (parent ${s.parent})` : ''}`);
  return [`pause ${pause}`, processes.length > 0 ? processes.join(', ') : 'no processes', `stderr ${JSON.stringify(o.final.stderr)}`].join('; ');
}

/** The report: what was explored, each outcome, and the invariants' verdict with the shortest trace. */
function report(what: string, result: Exploration): string[] {
  const lines = [
    `${what}: ${counted(result.states, 'state')}, ${counted(result.interleavings, 'complete interleaving')}, ${counted(result.outcomes.length, 'outcome')}` +
    (result.violation === null ? '' : ' (stopped at the first broken invariant)'),
  ];
  result.outcomes.forEach((o, i) => lines.push(`outcome ${i + 1} (${counted(o.interleavings, 'interleaving')}): ${describeOutcome(o)}`));
  if (result.violation === null) {
    lines.push('every invariant holds in every reachable state');
  } else {
    const v = result.violation;
    lines.push(`invariant ${v.violation.invariant} breaks: ${v.violation.message}`, `shortest trace (${counted(v.trace.length, 'action')}):`);
    v.trace.forEach((action, i) => lines.push(`  ${i + 1}. ${action}`));
  }
  return lines;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  const argument = scenarioArgument(SPEC, positionals, true)!;
  const options = {
    design: choice('explore', 'design', values.design, DESIGNS),
    mutant: values.mutant === undefined ? undefined : choice('explore', 'mutant', values.mutant, MUTANTS),
    maxStates: positiveInteger('explore', 'max-states', values['max-states']),
    wasi: choice('explore', 'wasi', values.wasi, WASI_RUNTIMES),
  };
  const html = htmlFile('explore', values.html);
  const scenario = loadScenario(argument.file);
  checkExploreOptions(scenario, options);
  const result = await explore(scenario, options);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const what = `${argument.given} (${options.design} design${options.mutant ? `, mutant ${options.mutant}` : ''})`;
    process.stdout.write(`${report(what, result).join('\n')}\n`);
  }
  await writeHtml(html, () => explorePage(scenario, result, { ...options, name: argument.given }), values.json);
  return result.violation === null ? 0 : 1;
}
