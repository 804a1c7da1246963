// `pausekit diff`: run one scenario on the kernel and on the model, for one
// or both designs, and show step by step where the observations differ.
// Exit 0 when they agree everywhere, 1 when they differ.
import { choice, parseCommand, usageError } from './args.ts';
import { PausekitError } from './errors.ts';
import { runKernel } from './engine-kernel.ts';
import { runModel } from './engine-model.ts';
import { describeStep } from './report.ts';
import { loadScenario } from './scenario.ts';
import type { Design, Observation, PauseObservation, ProcessObservation, Scenario } from './types.ts';

const USAGE = `usage: pausekit diff <scenario.json> [--design sigwait|handlers|both] [--binary PATH]

Runs the scenario on the real kernel and on the model and prints, for each
step where they differ, what each engine saw. Exit 0: they agree; 1: they differ.

  --design D      which pause: sigwait, handlers or both (default both)
  --binary PATH   another native pause for the kernel (e.g. a mutant build)
  --help          this text`;

const SPEC = {
  name: 'diff',
  usage: USAGE,
  options: {
    design: { type: 'string', default: 'both' },
    binary: { type: 'string' },
  },
  positionals: true,
} as const;

interface DiffOptions {
  file: string;
  designs: Design[];
  binary?: string;
}

function diffOptions(values: { design: string; binary?: string }, positionals: string[]): DiffOptions {
  const [file, ...more] = positionals;
  if (file === undefined) throw usageError(SPEC, 'which scenario? (a scenario.json file)', { field: 'file' });
  if (more.length > 0) {
    throw new PausekitError(`diff: one scenario file at a time (got ${positionals.join(' and ')})`, { field: 'file', value: more[0] });
  }
  const design = choice('diff', 'design', values.design, ['sigwait', 'handlers', 'both']);
  const designs: Design[] = design === 'both' ? ['sigwait', 'handlers'] : [design];
  const { binary } = values;
  if (binary !== undefined && designs.length !== 1) {
    throw new PausekitError('diff: --binary needs --design sigwait or --design handlers (the design the binary was built with)', { field: 'binary', value: binary });
  }
  return { file, designs, binary };
}

type Outcome = { observations: Observation[] } | { error: PausekitError };

async function outcome(run: () => Promise<Observation[]>): Promise<Outcome> {
  try {
    return { observations: await run() };
  } catch (error) {
    // A livelock (or a step an engine refused) is an outcome to compare.
    if (error instanceof PausekitError && (error.details.kind === 'livelock' || error.details.step !== undefined)) return { error };
    throw error;
  }
}

function pauseText(pause: PauseObservation | undefined): string {
  if (pause === undefined) return '(none)';
  if (pause.state === 'exited') return `exited ${pause.code}`;
  if (pause.state === 'killed') return `killed by ${pause.signal}`;
  return pause.state;
}

function processText(p: ProcessObservation | undefined): string {
  if (p === undefined) return '(not there)';
  return p.parent === null ? p.state : `${p.state}, parent ${p.parent}`;
}

/** The lines that differ between two observations of one step. */
export function differences(model: Observation | undefined, kernel: Observation | undefined): string[] {
  const lines: string[] = [];
  if (pauseText(model?.pause) !== pauseText(kernel?.pause)) {
    lines.push(`    pause: model ${pauseText(model?.pause)} | kernel ${pauseText(kernel?.pause)}`);
  }
  const names = [...new Set([...Object.keys(model?.processes ?? {}), ...Object.keys(kernel?.processes ?? {})])];
  for (const name of names) {
    const m = processText(model?.processes[name]);
    const k = processText(kernel?.processes[name]);
    if (m !== k) lines.push(`    ${name}: model ${m} | kernel ${k}`);
  }
  const ms = JSON.stringify(model?.stderr ?? []);
  const ks = JSON.stringify(kernel?.stderr ?? []);
  if (ms !== ks) lines.push(`    stderr: model ${ms} | kernel ${ks}`);
  return lines;
}

function stepTitle(scenario: Scenario, step: number): string {
  if (step < 0) return 'start (pause just launched)';
  const s = scenario.steps[step];
  return s === undefined ? `step ${step}` : `step ${step}: ${describeStep(s)}`;
}

/** The report for one design: empty when the engines agree. */
export function compare(scenario: Scenario, model: Outcome, kernel: Outcome): string[] {
  if ('error' in model || 'error' in kernel) {
    const text = (o: Outcome) => ('error' in o ? o.error.message : 'settles after every step');
    const same = 'error' in model && 'error' in kernel && model.error.details.kind === kernel.error.details.kind &&
      model.error.details.step === kernel.error.details.step;
    return same ? [] : [`    model: ${text(model)}`, `    kernel: ${text(kernel)}`];
  }
  const lines: string[] = [];
  const count = Math.max(model.observations.length, kernel.observations.length);
  for (let i = 0; i < count; i++) {
    const diff = differences(model.observations[i], kernel.observations[i]);
    if (diff.length > 0) lines.push(`  ${stepTitle(scenario, i - 1)}`, ...diff);
  }
  return lines;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const options = diffOptions(parsed.values, parsed.positionals);
  const scenario = loadScenario(options.file);
  let differ = false;
  for (const design of options.designs) {
    const kernel = await outcome(() => runKernel(scenario, { design, binary: options.binary }));
    const model = await outcome(() => runModel(scenario, { design }));
    const lines = compare(scenario, model, kernel);
    const steps = scenario.steps.length;
    if (lines.length === 0) {
      process.stdout.write(`${design}: model and kernel agree at every step (${steps} steps and the start)\n`);
    } else {
      differ = true;
      process.stdout.write(`${design}: model and kernel differ\n${lines.join('\n')}\n`);
    }
  }
  return differ ? 1 : 0;
}
