// `pausekit conform`: holds any init (given as its command line, with a
// template for each feature it offers) or any sandbox pause to the contract
// the model states, on the kernel, one row per behaviour; exit 0 only when
// nothing differs but what the user declares. The work is in
// src/check/conform.ts; this reads the options and prints the report.
import { resolve } from 'node:path';
import { given, parseCommand, refused, usageError } from './args.ts';
import { PausekitError, printable } from '../errors.ts';
import { defaultWorkDir, kubernetesPause, readKubernetesSource } from '../bench/build.ts';
import { conform, DEFAULT_RUNS, type RowResult } from '../check/conform.ts';
import { initCommand, TEMPLATE_NAMES, TEMPLATE_OPTIONS, TEMPLATE_USAGE } from '../check/conform-command.ts';
import { readDeclared } from '../check/conform-declared.ts';
import { formatConformReport } from '../check/conform-report.ts';

const USAGE = `usage: pausekit conform --init 'CMD [ARGS]' [--group-flag=W | --single-flag=W]
                        [--subreaper-flag=W | --subreaper-env=N=V] [--expect-flag=W] [OPTIONS]
       pausekit conform --pause 'CMD [ARGS]' | --k8s-pause-source FILE [OPTIONS]

Holds an init, or a pod sandbox's pause, to the contract pausekit's model
states: each behaviour's scenarios (the examples, and scenarios made for
it) run on the kernel with it in pause's place, every step compared with
the model's prediction, stderr aside; then random plans, shrunk when one
differs. One row per behaviour: passes, differs (its shortest scenario is
saved, with the command that replays it), or not offered. Needs root (or
user namespaces); strace, to see the zombies an init leaves as it exits.

  --init 'CMD [ARGS]'  the init's command line before the program, its
                    separator included ('tini --', 'dumb-init')
${TEMPLATE_USAGE}
  --pause 'CMD [ARGS]'  a sandbox pause instead, run with no program: its
                    path, or a command line ('catatonit -P')
  --k8s-pause-source FILE  instead: the Kubernetes pause built from this
                    pause.c (default: $PAUSEKIT_K8S_PAUSE_SOURCE)
  --work-dir WORK   where that build goes (default: the checkout's build/,
                    else ~/.cache/pausekit)
  --declared FILE   the differences you accept, each with its reason (JSON or
                    YAML: { "differences": { "BEHAVIOUR": "reason" } })
  --runs N          random plans (default ${DEFAULT_RUNS}; 0: none)
  --seed S          their seed (default: a fresh one, in the report)
  --out DIR         where each difference's scenario goes (default:
                    pausekit-conform)
  --json            print the report as JSON
  --help            this text

Exit status: 0 when nothing differs but what --declared names, and each
of those still does; 1 otherwise; 2 for bad input.
Values that start with '-' take '=': --group-flag=-g.`;

const SPEC = {
  name: 'conform',
  usage: USAGE,
  options: {
    init: { type: 'string' },
    ...TEMPLATE_OPTIONS,
    pause: { type: 'string' },
    'k8s-pause-source': { type: 'string' },
    'work-dir': { type: 'string' },
    declared: { type: 'string' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
} as const;

type Parsed = NonNullable<ReturnType<typeof parseCommand<typeof SPEC.options>>>;

/** A whole number from an option, within bounds, or an error naming the option. */
function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new PausekitError(`conform: --${option}: expected a whole number from ${min} to ${max}, got "${printable(text, 60)}"`, { field: option, value: text });
  }
  return n;
}

/** The sandbox pause: --pause, or the Kubernetes pause built from its source (option, else environment). */
function pauseOption(parsed: Parsed): string | undefined {
  const { values } = parsed;
  const sourceFile = values['k8s-pause-source'] ?? (values.init === undefined && values.pause === undefined ? process.env['PAUSEKIT_K8S_PAUSE_SOURCE'] || undefined : undefined);
  if (values['k8s-pause-source'] !== undefined && values.pause !== undefined) throw refused('conform', '--k8s-pause-source', 'and --pause both name the pause: give one');
  if (given(parsed, 'work-dir') && sourceFile === undefined) throw refused('conform', '--work-dir', 'is where --k8s-pause-source builds: it needs that source');
  if (sourceFile === undefined) return values.pause;
  const namedBy = values['k8s-pause-source'] !== undefined ? '--k8s-pause-source' : 'PAUSEKIT_K8S_PAUSE_SOURCE';
  const source = readKubernetesSource(resolve(sourceFile), namedBy, 'conform');
  const built = kubernetesPause(resolve(values['work-dir'] ?? defaultWorkDir()), source, 'cc', 'k8s-pause-glibc');
  if (built.path === undefined) throw new PausekitError(`conform: ${namedBy}: ${built.reason}`, { kind: 'unavailable', file: sourceFile });
  return built.path;
}

/** Progress on a terminal: the row being played, rewritten in place. */
function progress(): { onRow: (row: RowResult) => void; done: () => void } {
  if (!process.stderr.isTTY) return { onRow: () => {}, done: () => {} };
  let count = 0;
  return {
    onRow: (row) => process.stderr.write(`\r\u001b[Kconform: ${++count} rows done (${row.id}: ${row.result})`),
    done: () => process.stderr.write('\r\u001b[K'),
  };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values } = parsed;
  const pause = pauseOption(parsed);
  if ((values.init === undefined) === (pause === undefined)) {
    throw usageError(SPEC, values.init === undefined ? 'which init? (--init, or --pause for a sandbox pause)' : '--init and --pause name two things to check: give one',
      { field: 'init' });
  }
  const templates = Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, values[name]]));
  if (pause !== undefined) {
    const template = TEMPLATE_NAMES.find((name) => values[name] !== undefined);
    if (template !== undefined) throw refused('conform', `--${template}`, "is a template of an init's feature: it does not apply to --pause", values[template]);
  }
  const init = values.init === undefined ? undefined : initCommand(values.init, templates, 'conform: --init');
  const declared = values.declared === undefined ? undefined : readDeclared(values.declared);
  const runs = values.runs === undefined ? undefined : wholeNumber('runs', values.runs, 0, 100_000);
  const seed = values.seed === undefined ? undefined : wholeNumber('seed', values.seed, -(2 ** 31), 2 ** 31 - 1);
  const { onRow, done } = progress();
  const report = await conform({
    ...(init !== undefined ? { init } : { pause: pause! }), ...(runs !== undefined ? { runs } : {}), ...(seed !== undefined ? { seed } : {}),
    ...(declared !== undefined ? { declared } : {}), out: resolve(values.out ?? 'pausekit-conform'), onRow,
  }).finally(done);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatConformReport(report));
  return report.ok ? 0 : 1;
}
