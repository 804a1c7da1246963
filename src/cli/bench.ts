// `pausekit bench`: signal latency, reaping and footprint against the
// kernel's floor, pause 0.1.0 and the peers, the model's speed, and pods
// through the CRI. Progress goes to stderr, the tables to stdout; the chart
// (and with --json the raw samples) to files. Exits 1 when a target is
// missed or a part asked for cannot run here (unless --report-only or
// --quick), 2 on bad input.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { choice, parseCommand, positiveInteger, usageError } from './args.ts';
import { HeldSignals } from './interrupt.ts';
import { PausekitError, printable } from '../errors.ts';
import { CHECKOUT, SAVED_RESULTS, defaultWorkDir, readKubernetesSource, type KubernetesSource } from '../bench/build.ts';
import { latencyChart } from '../bench/chart.ts';
import { formatResult, formatTargets } from '../bench/format.ts';
import { DEFAULT_PARTS, PARTS, type BenchResult, type Part } from '../bench/result.ts';
import { defaultOptions, runBench, savingRefusal } from '../bench/run.ts';
import { judge } from '../bench/targets.ts';
import { writeFileAtomic } from '../image/oci.ts';
import { benchPage } from '../view/bench.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { counted } from '../scenario/report.ts';

/** The most rounds --rounds takes: 100,000 latency rounds already take hours. */
const MAX_ROUNDS = 100_000;

const USAGE = `usage: pausekit bench [--quick] [--only PARTS] [--rounds N] [--seed N] [--realtime]
                      [--report-only] [--json [FILE]] [--out DIR] [--work-dir WORK]
                      [--k8s-pause-source FILE]
                      [--warmup N] [--snapshotter native|overlayfs] [--html FILE]
       pausekit bench --from FILE [--markdown] [--only PARTS] [--html FILE]
       pausekit bench --targets [--markdown]

Times pause against the kernel's floor, pause 0.1.0 and the peers; exits 1 when a target is missed.

  --quick           tiny counts: checks that every part works (figures mean nothing, targets
                    are not judged)
  --only PARTS      comma-separated subset of ${PARTS.join(',')}
                    (default: all but cri; with --from: print only their tables)
  --rounds N        rounds of latency and init (default 1000) and cri (default 30), up to ${MAX_ROUNDS}
  --seed N          seed of the shuffles and the model's scenarios (default: random, printed)
  --realtime        latency samples run SCHED_FIFO: other work cannot preempt them
  --report-only     exit 0 even when a target is missed or a part cannot run here
  --json [FILE]     also write the raw samples and the summary (default FILE: DIR/results.json)
  --out DIR         where the chart latency.svg goes (default: bench/results in a checkout, else
                    WORK/results; with --quick WORK/quick); a checkout's bench/results takes only
                    full runs on a machine whose load average stays below its CPU count
  --work-dir WORK   where the programs are built (default: the checkout's build/, else
                    $XDG_CACHE_HOME/pausekit or ~/.cache/pausekit)
  --k8s-pause-source FILE
                    Kubernetes' pause.c (or a Markdown page quoting it) for the k8s-pause rows;
                    default: $PAUSEKIT_K8S_PAUSE_SOURCE; without either they are skipped
  --warmup N        cri: pods started and stopped before the timed rounds (default 3)
  --snapshotter S   cri: containerd's snapshotter, native (default) or overlayfs
  --from FILE       print the tables of a saved --json run, judged on today's targets
  --markdown        print the tables as Markdown
  --html FILE       also write the charts (latency, reaping) and the tables as one HTML page
  --targets         print the targets every run is judged on`;

const SPEC = {
  name: 'bench',
  usage: USAGE,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seed: { type: 'string' },
    realtime: { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
    // --json takes an optional FILE: the positional right after it (see jsonOption).
    json: { type: 'boolean' },
    out: { type: 'string' },
    'work-dir': { type: 'string' },
    'k8s-pause-source': { type: 'string' },
    warmup: { type: 'string' },
    snapshotter: { type: 'string' },
    from: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    html: HTML_OPTION,
    targets: { type: 'boolean', default: false },
  },
  positionals: true,
} as const;

type Parsed = NonNullable<ReturnType<typeof parseCommand<typeof SPEC.options>>>;

/** `--json [FILE]`: parseArgs has no optional values, so FILE is the positional right after --json; any other is a mistake. */
function jsonOption(tokens: Parsed['tokens']): string | true | undefined {
  let json: string | true | undefined;
  for (const [i, token] of tokens.entries()) {
    if (token.kind === 'option' && token.name === 'json') json = true;
    if (token.kind !== 'positional') continue;
    const before = tokens[i - 1];
    if (before?.kind !== 'option' || before.name !== 'json') {
      throw usageError(SPEC, `unexpected argument '${printable(token.value, 60)}'`, { field: 'arguments', value: token.value });
    }
    json = token.value;
  }
  return json;
}

/** `text` as an integer from min to max; else an error naming the option and the bounds. */
function integerIn(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new PausekitError(`bench: --${option}: expected an integer from ${min} to ${max}, got "${printable(text, 60)}"`, { field: option, value: text });
  }
  return n;
}

/** Options given on the command line among `names`. */
function given(values: Parsed['values'], tokens: Parsed['tokens'], names: string[]): string[] {
  return names.filter((name) => tokens.some((t) => t.kind === 'option' && t.name === name) && values[name as keyof typeof values] !== undefined);
}

/** Refuses options that do not apply to what was asked, naming the first. */
function refuse(parsed: Parsed, names: string[], why: string): void {
  const extra = given(parsed.values, parsed.tokens, names)[0];
  if (extra !== undefined) throw usageError(SPEC, `--${extra} does not apply ${why}`, { field: extra });
}

/** A saved --json run; a clear error if it is not one. */
function readResult(file: string): BenchResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PausekitError(`--from: cannot read ${printable(file)}: ${printable(error instanceof Error ? error.message : String(error), 160)}`, { file });
  }
  const r = data as Partial<BenchResult> | null;
  if (r === null || typeof r !== 'object' || r.version !== 1 || typeof r.machine !== 'object' || !Array.isArray(r.skipped)) {
    throw new PausekitError(`--from: ${printable(file)} is not a pausekit bench --json result (version 1)`, { file, field: 'version', value: r?.version });
  }
  return { loadavgBefore: {}, targets: [], realtime: false, programs: [], ...r } as BenchResult;
}

/** `--from FILE`: a saved run's tables, its targets judged again on today's list. */
function printSaved(from: string, markdown: boolean, only: readonly Part[] | undefined): BenchResult {
  const result = readResult(from);
  let tables: string;
  try {
    result.targets = judge(result);
    tables = formatResult(result, markdown, only);
  } catch (error) {
    // Version 1 on top, but parts missing or of the wrong shape inside.
    throw new PausekitError(`--from: ${printable(from)} is not a complete pausekit bench --json result ` +
      `(${printable(error instanceof Error ? error.message : String(error), 100)})`, { file: from });
  }
  process.stdout.write(tables);
  return result;
}

/** The Kubernetes pause.c from --k8s-pause-source, else PAUSEKIT_K8S_PAUSE_SOURCE, else none. */
function kubernetesSource(option: string | undefined): KubernetesSource | undefined {
  if (option !== undefined) return readKubernetesSource(resolve(option), '--k8s-pause-source');
  const env = process.env['PAUSEKIT_K8S_PAUSE_SOURCE'];
  return env === undefined || env === '' ? undefined : readKubernetesSource(resolve(env), 'PAUSEKIT_K8S_PAUSE_SOURCE');
}

/** Progress on stderr: one rewritten line on a terminal, else one line per phase (logs stay readable). */
function progressWriter(): { progress: (text: string) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastLine = '';
  return {
    progress(text) {
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        return;
      }
      const key = text.replace(/, [^,]*$/, '');
      if (key !== lastLine) process.stderr.write(`${key}\n`);
      lastLine = key;
    },
    done: () => (tty ? void process.stderr.write('\r\x1b[K') : undefined),
  };
}

/** Writes the chart and the JSON, each whole or absent, even on a signal. */
async function writeFiles(result: BenchResult, chart: string | undefined, json: string | undefined): Promise<void> {
  const held = new HeldSignals();
  try {
    if (chart !== undefined && result.latency) {
      const m = result.machine;
      writeFileAtomic(chart, Buffer.from(latencyChart([
        { title: 'SIGTERM → exit, as PID 1', rows: result.latency.summary.pid1, samples: result.latency.samples.pid1 },
        { title: 'SIGTERM → exit, plain process', rows: result.latency.summary.plain, samples: result.latency.samples.plain },
      ], `Linux ${m.kernel}, ${m.cpus} CPUs, load ${m.loadavgStart.map((l) => l.toFixed(2)).join(' ')}; ${counted(result.latency.rounds, 'round')}` +
        `${result.realtime ? ', SCHED_FIFO' : ''}; seed ${result.seed}; ${result.started}`)));
      process.stdout.write(`chart: ${fromHere(chart)}\n`);
      await held.checkpoint(`${chart} was written whole`);
    }
    if (json !== undefined) {
      writeFileAtomic(json, Buffer.from(JSON.stringify(result) + '\n'));
      process.stdout.write(`json: ${fromHere(json)}\n`);
      await held.checkpoint(`${json} was written whole`);
    }
  } finally {
    held.release();
  }
}

/** A path as the user reads it: relative to the current directory when inside it, else absolute. */
function fromHere(path: string): string {
  const here = relative(process.cwd(), path);
  return here === '' ? '.' : here.startsWith('..') ? path : here;
}

/** mkdir -p for an output file's directory, with a clear error. */
function makeDirectoryFor(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new PausekitError(`cannot create the directory ${printable(dirname(file))} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { file: dirname(file) });
  }
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values } = parsed;
  const json = jsonOption(parsed.tokens);
  const only = values.only?.split(',').map((part) => choice('bench', 'only', part, PARTS));
  const runOptions = ['quick', 'rounds', 'seed', 'realtime', 'report-only', 'json', 'out', 'work-dir', 'k8s-pause-source', 'warmup', 'snapshotter'];
  if (values.targets) {
    refuse(parsed, [...runOptions, 'only', 'from', 'html'], 'to --targets');
    process.stdout.write(formatTargets(values.markdown));
    return 0;
  }
  if (values.from !== undefined) {
    refuse(parsed, runOptions, 'to --from, which prints a saved run');
    const html = htmlFile('bench', values.html);
    const saved = printSaved(values.from, values.markdown, only);
    await writeHtml(html, () => benchPage(saved));
    return 0;
  }
  const parts = only ?? DEFAULT_PARTS;
  if (!parts.includes('cri')) refuse(parsed, ['warmup', 'snapshotter'], 'without the cri part (--only cri)');
  const quick = values.quick;
  const defaults = defaultOptions(quick);
  const rounds = values.rounds === undefined ? undefined : integerIn('rounds', values.rounds, 1, MAX_ROUNDS);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInteger('bench', 'seed', values.seed);
  const cri = {
    rounds: rounds ?? defaults.cri.rounds,
    warmup: values.warmup === undefined ? defaults.cri.warmup : integerIn('warmup', values.warmup, 0, 1000),
    snapshotter: values.snapshotter === undefined ? defaults.cri.snapshotter : choice('bench', 'snapshotter', values.snapshotter, ['native', 'overlayfs'] as const),
  };
  const k8sSource = kubernetesSource(values['k8s-pause-source']);
  const work = resolve(values['work-dir'] ?? defaultWorkDir());
  const dir = resolve(values.out ?? (quick ? join(work, 'quick') : CHECKOUT ? SAVED_RESULTS : join(work, 'results')));
  const jsonFile = json === undefined ? undefined : resolve(json === true ? join(dir, 'results.json') : json);
  const html = htmlFile('bench', values.html);

  const { progress, done } = progressWriter();
  process.stderr.write(`pausekit bench: seed ${seed}${quick ? ', quick' : ''}; work directory ${fromHere(work)}\n`);
  const result = await runBench({
    ...defaults, latencyRounds: rounds ?? defaults.latencyRounds, cri, seed, parts, progress, realtime: values.realtime, work,
    ...(k8sSource === undefined ? {} : { k8sSource }),
  });
  done();
  process.stdout.write(formatResult(result, values.markdown));
  const status = await finish(result, { dir, jsonFile, work, judged: !quick && !values['report-only'] });
  await writeHtml(html, () => benchPage(result));
  return status;
}

/** Writes the files (or refuses the saved results, writing them to the work directory), and the exit status. */
async function finish(result: BenchResult, o: { dir: string; jsonFile: string | undefined; work: string; judged: boolean }): Promise<number> {
  let chart = result.latency ? join(o.dir, 'latency.svg') : undefined;
  let json = o.jsonFile;
  const refused = savingRefusal(result, [chart, json].filter((f): f is string => f !== undefined));
  if (refused !== undefined) {
    const elsewhere = join(o.work, 'unsaved');
    chart = chart === undefined ? undefined : join(elsewhere, 'latency.svg');
    json = json === undefined ? undefined : join(elsewhere, 'results.json');
    process.stderr.write(`pausekit bench: not saved as the project's results (${fromHere(SAVED_RESULTS)}/): ${refused}; ` +
      `written to ${fromHere(elsewhere)}/ instead\n`);
  }
  for (const file of [chart, json]) if (file !== undefined) makeDirectoryFor(file);
  await writeFiles(result, chart, json);
  if (refused !== undefined) return 1;
  if (!o.judged) return 0;
  const missed = result.targets.filter((t) => t.met === false).length;
  const unrun = result.skipped.filter((s) => (PARTS as readonly string[]).includes(s.id)).map((s) => s.id);
  if (missed > 0) process.stderr.write(`pausekit bench: ${missed} target${missed === 1 ? '' : 's'} missed\n`);
  if (unrun.length > 0) process.stderr.write(`pausekit bench: ${unrun.join(', ')} could not run here, so their targets were not judged\n`);
  return missed > 0 || unrun.length > 0 ? 1 : 0;
}

