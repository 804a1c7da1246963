// `pausekit run`: run one scenario (default: the seed story) on the kernel
// or the model and print what happened after each step.
import { choice, parseCommand } from './args.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { PausekitError, printable } from '../errors.ts';
import { ENGINE_NAMES, engineNamed, kernelEngine } from '../engines/engine.ts';
import { INIT_PROGRAMS } from '../engines/kernel/engine.ts';
import { DEFAULT_WASI, WASI_RUNTIMES } from '../engines/model/wasm.ts';
import { formatObservations } from '../scenario/report.ts';
import { SEED_STORY, loadScenario } from '../scenario/load.ts';
import { DESIGNS } from '../scenario/types.ts';
import { runPage } from '../view/pages.ts';

const USAGE = `usage: pausekit run [scenario.json] [--engine kernel|model] [--design sigwait|handlers|autoreap] [--wasi node|wasmer] [--init pause|tini|dumb-init|catatonit] [--json] [--html FILE]

Runs a scenario (default: the built-in seed story) and prints, after each
step, the state of pause and of every process, and pause's new stderr lines.

  --engine kernel   the real Linux kernel: pause as PID 1 of a fresh PID
                    namespace (needs root or user namespaces) (default)
  --engine model    the WebAssembly model of pause and the kernel rules
  --design D        which pause: sigwait (default), handlers or autoreap
  --wasi W          the model's WASI implementation: node (Node's node:wasi,
                    the default: faster) or wasmer (@wasmer/wasi)
  --init I          init mode, kernel only: which init runs the program:
                    pause (default), tini, dumb-init or catatonit
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
    json: { type: 'boolean', default: false },
    html: HTML_OPTION,
  },
  positionals: true,
} as const;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new PausekitError(`run: one scenario file at a time (got ${positionals.map((p) => printable(p, 60)).join(' and ')})`, { field: 'file', value: positionals[1] });
  }
  const options = {
    file: positionals[0],
    engine: choice('run', 'engine', values.engine, ENGINE_NAMES),
    design: choice('run', 'design', values.design, DESIGNS),
    wasi: choice('run', 'wasi', values.wasi, WASI_RUNTIMES),
    init: choice('run', 'init', values.init, INIT_PROGRAMS),
    json: values.json,
    html: htmlFile('run', values.html),
  };
  if (options.init !== 'pause' && options.engine !== 'kernel') {
    throw new PausekitError(`run: --init ${options.init} runs on the kernel only (the model predicts pause)`, { field: 'init', value: options.init });
  }
  const scenario = options.file === undefined ? SEED_STORY : loadScenario(options.file);
  if (options.init !== 'pause' && scenario.init === undefined) {
    throw new PausekitError(`run: --init ${options.init} needs a scenario in init mode (with an "init" object)`, { field: 'init', value: options.init });
  }
  const engine = options.engine === 'kernel' ? kernelEngine({ init: options.init }) : engineNamed(options.engine, { wasi: options.wasi });
  const observations = await engine.run(scenario, options.design);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(observations, null, 2)}\n`);
  } else {
    const what = options.file ?? 'the seed story';
    const who = options.init === 'pause' ? `${options.design} design` : options.init;
    const header = `${what} on the ${options.engine} (${who})` +
      (scenario.description ? `: ${scenario.description}` : '');
    process.stdout.write(`${header}\n\n${formatObservations(scenario, observations)}`);
  }
  await writeHtml(options.html, () => runPage(scenario, observations, { ...options, name: options.file ?? 'the seed story' }), options.json);
  return 0;
}
