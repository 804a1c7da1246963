// `pausekit run`: run one scenario (default: the seed story) on the kernel
// or the model and print what happened after each step.
import { choice, given, parseCommand, refused, scenarioArgument } from './args.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { PausekitError, printable } from '../errors.ts';
import { initAt } from '../check/executables.ts';
import { commandArgv, initCommand, isCommandLine, pauseCommand, TEMPLATE_NAMES, TEMPLATE_OPTIONS, TEMPLATE_USAGE } from '../check/conform-command.ts';
import { ENGINE_NAMES, engineNamed, kernelEngine } from '../engines/engine.ts';
import { INIT_PROGRAMS, type InitProgram } from '../engines/kernel/engine.ts';
import type { InitCommand } from '../check/conform-command.ts';
import { DEFAULT_WASI, WASI_RUNTIMES } from '../engines/model/wasm.ts';
import { formatObservations, wrap } from '../scenario/report.ts';
import { SEED_STORY, loadScenario } from '../scenario/load.ts';
import { DESIGNS, type Observation, type Scenario } from '../scenario/types.ts';
import { runPage } from '../view/pages.ts';

const USAGE = `usage: pausekit run [SCENARIO] [--engine kernel|model] [--design sigwait|handlers|autoreap]
                    [--wasi node|wasmer] [--init pause|tini|dumb-init|catatonit|PATH] [--json]
                    [--html FILE]
       pausekit run SCENARIO --init 'CMD [ARGS]' [TEMPLATES] | --pause 'CMD [ARGS]' [--json]
                    [--html FILE]

Runs a scenario (default: the built-in seed story) and prints, after each
step, the state of pause and of every process, and pause's new stderr lines.
SCENARIO is a scenario file, or the name of an example (pausekit examples).

  --engine kernel   the real Linux kernel: pause as PID 1 of a fresh PID
                    namespace (needs root or user namespaces) (default)
  --engine model    the WebAssembly model of pause and the kernel rules
  --design D        which pause: sigwait (default), handlers or autoreap
  --wasi W          the model's WASI implementation: node (Node's node:wasi,
                    the default: faster) or wasmer (@wasmer/wasi)
  --init I          init mode, kernel only: which init runs the program:
                    pause (default), tini, dumb-init or catatonit, found on
                    PATH, or the path of one of them; or any init, as its
                    command line before the program ('tini --'), with the
                    templates of the features it offers (as pausekit conform)
${TEMPLATE_USAGE}
  --pause 'CMD [ARGS]'  kernel only: this sandbox pause instead of pausekit's
  --json            print the observations as JSON
  --html FILE       also draw the run as one HTML page (a timeline, every step's table)
  --help            this text`;

const SPEC = {
  name: 'run',
  usage: USAGE,
  options: {
    engine: { type: 'string', default: 'kernel' },
    design: { type: 'string', default: 'sigwait' },
    wasi: { type: 'string', default: DEFAULT_WASI },
    init: { type: 'string', default: 'pause' },
    ...TEMPLATE_OPTIONS,
    pause: { type: 'string' },
    json: { type: 'boolean', default: false },
    html: HTML_OPTION,
  },
  positionals: true,
} as const;

/** `--init`: an init by name (found on PATH), the path of one, told by what it answers, or any init as a command line with templates. */
function initOption(value: string, templates: Record<string, string | undefined>): { init: InitProgram; binary?: string; command?: InitCommand } {
  if (isCommandLine(value, templates)) return { init: 'pause', command: initCommand(value, templates, 'run: --init') };
  if (!value.includes('/')) return { init: choice('run', 'init', value, [...INIT_PROGRAMS]) };
  const found = initAt(value);
  if ('error' in found) {
    throw new PausekitError(`run: --init ${printable(value, 60)}: not an init pausekit knows: ${found.error}`, { field: 'init', value });
  }
  return { init: found.init as InitProgram, binary: value };
}

/** The options, with every combination that does not apply refused (those that depend on the scenario after it is read). */
function runOptions(parsed: NonNullable<ReturnType<typeof parseCommand<typeof SPEC.options>>>) {
  const { values } = parsed;
  const engine = choice('run', 'engine', values.engine, ENGINE_NAMES);
  const design = choice('run', 'design', values.design, DESIGNS);
  const wasi = choice('run', 'wasi', values.wasi, WASI_RUNTIMES);
  if (given(parsed, 'wasi') && engine !== 'model') throw refused('run', '--wasi', 'applies to the model only (--engine model)', wasi);
  const templates = Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, values[name]]));
  if (values.pause !== undefined && (given(parsed, 'init') || Object.values(templates).some((t) => t !== undefined))) {
    throw refused('run', '--pause', 'runs a sandbox pause, with no program: --init and its templates do not apply', values.pause);
  }
  const { init, binary, command } = initOption(values.init, templates);
  const other = command !== undefined || values.pause !== undefined;
  if ((given(parsed, 'init') || values.pause !== undefined) && engine !== 'kernel') {
    const option = values.pause !== undefined ? '--pause' : `--init ${printable(values.init, 60)}`;
    throw refused('run', option, 'runs on the kernel only (the model predicts pause)', values.init);
  }
  if (given(parsed, 'design') && (init !== 'pause' || binary !== undefined || other)) {
    const instead = values.pause !== undefined ? '--pause runs that pause' : `--init ${printable(values.init, 60)} runs that init`;
    throw refused('run', '--design', `picks one of pausekit's own pause builds; ${instead} instead`, design);
  }
  return { engine, design, wasi, init, binary, command, pause: values.pause, json: values.json, html: htmlFile('run', values.html) };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const argument = scenarioArgument(SPEC, parsed.positionals, false);
  const options = runOptions(parsed);
  const scenario = argument === undefined ? SEED_STORY : loadScenario(argument.file);
  if ((given(parsed, 'init') || options.command !== undefined) && scenario.init === undefined) {
    throw refused('run', `--init ${printable(parsed.values.init, 60)}`, 'needs a scenario in init mode (with an "init" object)', parsed.values.init);
  }
  if (options.pause !== undefined && scenario.init !== undefined) {
    throw refused('run', `--pause ${printable(options.pause, 60)}`, 'needs a scenario without an "init" object (a pause runs no program)', options.pause);
  }
  const command = options.command;
  const pause = options.pause === undefined ? undefined : pauseCommand(options.pause, 'run: --pause');
  const engine = options.engine !== 'kernel' ? engineNamed(options.engine, { wasi: options.wasi })
    : command !== undefined ? kernelEngine({ initCommand: (init, program) => commandArgv(command, init, program) })
    : kernelEngine({ init: options.init, binary: pause?.path ?? options.binary });
  const printed = (observations: Observation[]) => printObservations(scenario, observations, { ...options, given: argument?.given });
  let observations: Observation[];
  try {
    observations = await engine.run(scenario, options.design).finally(() => pause?.dispose());
  } catch (error) {
    // What ran before the step that could not: printed, then the error.
    const before = error instanceof PausekitError ? error.details['observations'] : undefined;
    if (Array.isArray(before) && before.length > 0) process.stdout.write(printed(before as Observation[]));
    throw error;
  }
  const page = () => runPage(scenario, observations, { ...options, name: argument?.given ?? 'the seed story' });
  process.stdout.write(printed(observations));
  await writeHtml(options.html, page, options.json);
  return 0;
}

/** The observations as run prints them: JSON, or a header and a table per step. */
function printObservations(
  scenario: Scenario, observations: Observation[], options: ReturnType<typeof runOptions> & { given?: string },
): string {
  if (options.json) return `${JSON.stringify(observations, null, 2)}\n`;
  const who = options.command?.text ?? options.pause ?? options.binary ?? (options.init === 'pause' ? `${options.design} design` : options.init);
  const header = `${options.given ?? 'the seed story'} on the ${options.engine} (${who})` +
    (scenario.description ? `: ${scenario.description}` : '');
  return `${wrap(header).join('\n')}\n\n${formatObservations(scenario, observations)}`;
}
