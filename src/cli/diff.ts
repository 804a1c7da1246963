// `pausekit diff`: run one scenario on the kernel and on the model, for one
// or every design, and show step by step where the observations differ.
// Exit 0 when they agree everywhere, 1 when they differ.
import { alternatives, choice, given, parseCommand, refused, scenarioArgument } from './args.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { printable } from '../errors.ts';
import { notPauseBuild } from '../check/executables.ts';
import { DEFAULT_WASI, WASI_RUNTIMES } from '../engines/model/wasm.ts';
import { loadScenario } from '../scenario/load.ts';
import { counted } from '../scenario/report.ts';
import { DESIGNS, type Design } from '../scenario/types.ts';
import { diffPage, diffRun, type DiffRun } from '../view/pages.ts';

const USAGE = `usage: pausekit diff SCENARIO [--design sigwait|handlers|autoreap|all] [--binary PATH]
                     [--wasi node|wasmer] [--html FILE]

Runs the scenario on the real kernel and on the model and prints, for each
step where they differ, what each engine saw. Exit 0: they agree; 1: they
differ. SCENARIO is a scenario file, or the name of an example.

  --design D      which pause: sigwait, handlers, autoreap or all (default all)
  --binary PATH   another build of pause for the kernel (e.g. a mutant: pausekit
                  which pause --design D --mutant NAME), with the one --design
                  it was built with; it must answer -v as pause does
  --wasi W        the model's WASI implementation: node (default) or wasmer
  --html FILE     also draw both engines' timelines side by side as one HTML page
  --help          this text`;

const SPEC = {
  name: 'diff',
  usage: USAGE,
  options: {
    design: { type: 'string', default: 'all' },
    binary: { type: 'string' },
    wasi: { type: 'string', default: DEFAULT_WASI },
    html: HTML_OPTION,
  },
  positionals: true,
} as const;

/** The designs to compare, and the pause build to use: refused if not one design, or not a pause build. */
function designsAndBinary(values: { design: string; binary?: string }, designGiven: boolean): { designs: Design[]; binary?: string } {
  const design = choice('diff', 'design', values.design, [...DESIGNS, 'all']);
  const designs: Design[] = design === 'all' ? [...DESIGNS] : [design];
  const { binary } = values;
  if (binary === undefined) return { designs };
  if (designs.length !== 1) {
    throw refused('diff', '--binary', `needs --design ${alternatives(DESIGNS)}: the design it was built with${designGiven ? ', not all' : ''}`, binary);
  }
  const why = notPauseBuild(binary);
  if (why !== null) throw refused('diff', `--binary ${printable(binary, 100)}`, `is not a pause build: ${why}`, binary);
  return { designs, binary };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const argument = scenarioArgument(SPEC, parsed.positionals, true)!;
  const { designs, binary } = designsAndBinary(parsed.values, given(parsed, 'design'));
  const wasi = choice('diff', 'wasi', parsed.values.wasi, WASI_RUNTIMES);
  const html = htmlFile('diff', parsed.values.html);
  const scenario = loadScenario(argument.file);
  let differ = false;
  const runs: DiffRun[] = [];
  for (const design of designs) {
    const { lines } = runs[runs.push(await diffRun(scenario, design, { binary, wasi })) - 1]!;
    const steps = scenario.steps.length;
    if (lines.length === 0) {
      process.stdout.write(`${design}: model and kernel agree at every step (${counted(steps, 'step')} and the start)\n`);
    } else {
      differ = true;
      process.stdout.write(`${design}: model and kernel differ\n${lines.join('\n')}\n`);
    }
  }
  await writeHtml(html, () => diffPage(scenario, runs, { name: argument.given, wasi }));
  return differ ? 1 : 0;
}
