// `pausekit explore`: every interleaving of pause's own steps with a small
// scenario's events, on the model (src/check/explore.ts does the search).
// Prints the reachable outcomes and, if any, the shortest trace to a broken
// invariant. Exit 0: every invariant holds everywhere; 1: one breaks.
import { choice, parseCommand, positiveInteger, usageError } from './args.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { PausekitError, printable } from '../errors.ts';
import { DEFAULT_MAX_STATES, explore, type Outcome } from '../check/explore.ts';
import { DEFAULT_WASI, INIT_MUTANTS, MUTANTS, REFERENCE_MUTANTS, WASI_RUNTIMES } from '../engines/model/wasm.ts';
import { loadScenario } from '../scenario/load.ts';
import { DESIGNS } from '../scenario/types.ts';
import { explorePage } from '../view/pages.ts';

const USAGE = `usage: pausekit explore <scenario.json> [--design sigwait|handlers|autoreap] [--mutant NAME] [--max-states N] [--wasi node|wasmer] [--json] [--html FILE]

Enumerates every interleaving of pause's atomic steps (deliver or take a
signal, one waitpid, return from a handler, write, exit) with the scenario's
events, on the model. Prints every reachable outcome and the shortest trace
to any broken invariant. Exit 0: the invariants hold; 1: one breaks.

  --design D        sigwait (default), handlers or autoreap
  --mutant NAME     explore a catalogued bug: ${REFERENCE_MUTANTS.join(', ')};
                    in init mode ${INIT_MUTANTS.join(', ')}
  --max-states N    give up beyond N distinct states (default 200000, at most 1000000)
  --wasi W          the model's WASI implementation: node (default) or wasmer
  --json            print the result as JSON
  --html FILE       also draw the trace to a broken invariant as one HTML page`;

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
    wasi: { type: 'string', default: DEFAULT_WASI },
    json: { type: 'boolean', default: false },
    html: HTML_OPTION,
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
    throw new PausekitError(`explore: one scenario file at a time (got ${positionals.map((p) => printable(p, 60)).join(' and ')})`, { field: 'file', value: more[0] });
  }
  const options = {
    file,
    design: choice('explore', 'design', values.design, DESIGNS),
    mutant: values.mutant === undefined ? undefined : choice('explore', 'mutant', values.mutant, MUTANTS),
    maxStates: positiveInteger('explore', 'max-states', values['max-states']),
    wasi: choice('explore', 'wasi', values.wasi, WASI_RUNTIMES),
    json: values.json,
    html: htmlFile('explore', values.html),
  };
  const scenario = loadScenario(options.file);
  const result = await explore(scenario, options);
  const page = () => explorePage(scenario, result, { ...options, name: options.file });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    await writeHtml(options.html, page, true);
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
  await writeHtml(options.html, page);
  return result.violation === null ? 0 : 1;
}
