// `pausekit diff`: run one scenario on the kernel and on the model, for one
// or every design, and show step by step where the observations differ.
// Exit 0 when they agree everywhere, 1 when they differ.
import { choice, parseCommand, usageError } from './args.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { PausekitError, printable } from '../errors.ts';
import { DEFAULT_WASI, WASI_RUNTIMES, type WasiRuntime } from '../engines/model/wasm.ts';
import { loadScenario } from '../scenario/load.ts';
import { DESIGNS, type Design } from '../scenario/types.ts';
import { diffPage, diffRun, type DiffRun } from '../view/pages.ts';

const USAGE = `usage: pausekit diff <scenario.json> [--design sigwait|handlers|autoreap|all] [--binary PATH] [--wasi node|wasmer] [--html FILE]

Runs the scenario on the real kernel and on the model and prints, for each
step where they differ, what each engine saw. Exit 0: they agree; 1: they differ.

  --design D      which pause: sigwait, handlers, autoreap or all (default all)
  --binary PATH   another native pause for the kernel (e.g. a mutant build)
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

interface DiffOptions {
  file: string;
  designs: Design[];
  binary?: string;
  wasi: WasiRuntime;
  html?: string;
}

function diffOptions(values: { design: string; binary?: string; wasi: string; html?: string }, positionals: string[]): DiffOptions {
  const [file, ...more] = positionals;
  if (file === undefined) throw usageError(SPEC, 'which scenario? (a scenario.json file)', { field: 'file' });
  if (more.length > 0) {
    throw new PausekitError(`diff: one scenario file at a time (got ${positionals.map((p) => printable(p, 60)).join(' and ')})`, { field: 'file', value: more[0] });
  }
  const design = choice('diff', 'design', values.design, [...DESIGNS, 'all']);
  const designs: Design[] = design === 'all' ? [...DESIGNS] : [design];
  const { binary } = values;
  if (binary !== undefined && designs.length !== 1) {
    throw new PausekitError(`diff: --binary needs --design ${DESIGNS.join(', --design ')} (the design the binary was built with)`, { field: 'binary', value: binary });
  }
  return { file, designs, binary, wasi: choice('diff', 'wasi', values.wasi, WASI_RUNTIMES), html: htmlFile('diff', values.html) };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const options = diffOptions(parsed.values, parsed.positionals);
  const scenario = loadScenario(options.file);
  let differ = false;
  const runs: DiffRun[] = [];
  for (const design of options.designs) {
    runs.push(await diffRun(scenario, design, { binary: options.binary, wasi: options.wasi }));
    const lines = runs[runs.length - 1]!.lines;
    const steps = scenario.steps.length;
    if (lines.length === 0) {
      process.stdout.write(`${design}: model and kernel agree at every step (${steps} steps and the start)\n`);
    } else {
      differ = true;
      process.stdout.write(`${design}: model and kernel differ\n${lines.join('\n')}\n`);
    }
  }
  await writeHtml(options.html, () => diffPage(scenario, runs, { name: options.file, wasi: options.wasi }));
  return differ ? 1 : 0;
}
