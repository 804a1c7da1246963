// `pausekit run`: run one scenario (default: the seed story) on the kernel
// or the model and print what happened after each step.
import { PausekitError } from './errors.ts';
import { runKernel } from './engine-kernel.ts';
import { formatObservations } from './report.ts';
import { SEED_STORY, loadScenario } from './scenario.ts';
import type { Design, Observation, Scenario } from './types.ts';

const USAGE = `usage: pausekit run [scenario.json] [--engine kernel|model] [--design sigwait|handlers] [--json]

Runs a scenario (default: the built-in seed story) and prints, after each
step, the state of pause and of every process, and pause's new stderr lines.

  --engine kernel   the real Linux kernel: pause as PID 1 of a fresh PID
                    namespace (needs root or user namespaces) (default)
  --engine model    the WebAssembly model of pause and the kernel rules
  --design D        which pause: sigwait (default) or handlers
  --json            print the observations as JSON
  --help            this text`;

type Engine = 'kernel' | 'model';

interface RunOptions {
  file?: string;
  engine: Engine;
  design: Design;
  json: boolean;
}

function parseArgs(args: string[]): RunOptions | 'help' {
  const options: RunOptions = { engine: 'kernel', design: 'sigwait', json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new PausekitError(`run: ${arg} needs a value\n${USAGE}`, { field: arg });
      return next;
    };
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json') {
      options.json = true;
    } else if (arg === '--engine') {
      const engine = value();
      if (engine !== 'kernel' && engine !== 'model') {
        throw new PausekitError(`run: --engine: expected kernel or model, got "${engine}"`, { field: 'engine', value: engine });
      }
      options.engine = engine;
    } else if (arg === '--design') {
      const design = value();
      if (design !== 'sigwait' && design !== 'handlers') {
        throw new PausekitError(`run: --design: expected sigwait or handlers, got "${design}"`, { field: 'design', value: design });
      }
      options.design = design;
    } else if (arg.startsWith('-')) {
      throw new PausekitError(`run: unknown option ${arg}\n${USAGE}`, { field: 'option', value: arg });
    } else if (options.file !== undefined) {
      throw new PausekitError(`run: one scenario file at a time (got ${options.file} and ${arg})`, { field: 'file', value: arg });
    } else {
      options.file = arg;
    }
  }
  return options;
}

type RunModel = (scenario: Scenario, options: { design: Design }) => Promise<Observation[]>;

async function runEngine(engine: Engine, scenario: Scenario, design: Design): Promise<Observation[]> {
  if (engine === 'kernel') return runKernel(scenario, { design });
  // The model lives in another module (and another engineer's build); load it on demand.
  const modelModule = './engine-model.ts';
  const { runModel } = (await import(modelModule)) as { runModel: RunModel };
  return runModel(scenario, { design });
}

export async function run(args: string[]): Promise<number> {
  const options = parseArgs(args);
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const scenario = options.file === undefined ? SEED_STORY : loadScenario(options.file);
  const observations = await runEngine(options.engine, scenario, options.design);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(observations, null, 2)}\n`);
  } else {
    const what = options.file ?? 'the seed story';
    const header = `${what} on the ${options.engine} (${options.design} design)` +
      (scenario.description ? `: ${scenario.description}` : '');
    process.stdout.write(`${header}\n\n${formatObservations(scenario, observations)}`);
  }
  return 0;
}
