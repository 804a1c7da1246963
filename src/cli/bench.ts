// `pausekit bench`: signal latency, reaping and footprint against the
// kernel's floor and the peers, and the model's speed. Progress goes to
// stderr, the tables to stdout; the chart (and with --json the raw samples)
// to files.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { choice, parseCommand, positiveInteger, usageError } from './args.ts';
import { HeldSignals } from './interrupt.ts';
import { HTML_OPTION, htmlFile, writeHtml } from './html.ts';
import { PausekitError, printable } from '../errors.ts';
import { latencyChart } from '../bench/chart.ts';
import { formatResult } from '../bench/format.ts';
import { ROOT } from '../bench/programs.ts';
import { PARTS, defaultOptions, runBench, type BenchResult } from '../bench/run.ts';
import { writeFileAtomic } from '../image/oci.ts';
import { benchPage } from '../view/bench.ts';

const USAGE = `usage: pausekit bench [--quick] [--json [FILE]] [--out DIR] [--only PARTS] [--rounds N] [--seed N] [--realtime] [--html FILE]
       pausekit bench --from FILE [--markdown] [--only PARTS] [--html FILE]

  --quick        tiny counts: checks that every benchmark works (figures not meaningful)
  --json [FILE]  also write the raw samples and the summary (default FILE: DIR/results.json)
  --out DIR      where the chart latency.svg goes (default bench/results, or build/bench/quick with --quick)
  --only PARTS   comma-separated subset of latency,reaping,footprint,init,sizes,model
                 (with --from: print only their tables)
  --rounds N     latency rounds (default 1000; --quick 3)
  --seed N       seed of the shuffles and the model's scenarios (default: random, printed)
  --realtime     latency samples run SCHED_FIFO: other work on a shared machine cannot preempt them
  --from FILE    print the tables of a saved --json run instead of running
  --markdown     print the tables as Markdown (for the README)
  --html FILE    also write the charts (latency, reaping) and the tables as one HTML page`;

const SPEC = {
  name: 'bench',
  usage: USAGE,
  options: {
    quick: { type: 'boolean', default: false },
    // --json takes an optional FILE: the positional right after it (see run).
    json: { type: 'boolean' },
    out: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seed: { type: 'string' },
    realtime: { type: 'boolean', default: false },
    from: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    html: HTML_OPTION,
  },
  positionals: true,
} as const;

/** mkdir -p, with a clear error. */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new PausekitError(`cannot create the directory ${printable(dir)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: dir });
  }
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
  return { loadavgBefore: {}, targets: [], realtime: false, ...r } as BenchResult;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, args);
  if (parsed === null) return 0;
  const { values, tokens } = parsed;
  // `--json [FILE]`: parseArgs has no optional values, so FILE is the
  // positional token right after --json; any other positional is a mistake.
  let json: string | true | undefined;
  for (const [i, token] of tokens.entries()) {
    if (token.kind === 'option' && token.name === 'json') json = true;
    if (token.kind !== 'positional') continue;
    const before = tokens[i - 1];
    if (before?.kind !== 'option' || before.name !== 'json') {
      throw usageError(SPEC, `Unexpected argument '${printable(token.value, 60)}'`, { field: 'arguments', value: token.value });
    }
    json = token.value;
  }
  const { quick, out, only, from, markdown, realtime } = values;
  const rounds = values.rounds === undefined ? undefined : positiveInteger('bench', 'rounds', values.rounds);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInteger('bench', 'seed', values.seed);
  const parts = only === undefined ? PARTS : only.split(',').map((part) => choice('bench', 'only', part, PARTS));
  const html = htmlFile('bench', values.html);
  if (from !== undefined) {
    const result = readResult(from);
    let tables: string;
    try {
      tables = formatResult(result, markdown, only === undefined ? undefined : parts);
    } catch (error) {
      // Version 1 on top, but parts missing or of the wrong shape inside.
      throw new PausekitError(`--from: ${printable(from)} is not a complete pausekit bench --json result ` +
        `(${printable(error instanceof Error ? error.message : String(error), 100)})`, { file: from });
    }
    process.stdout.write(tables);
    await writeHtml(html, () => benchPage(result));
    return 0;
  }
  const dir = resolve(out ?? join(ROOT, quick ? 'build/bench/quick' : 'bench/results'));
  const tty = process.stderr.isTTY;
  let lastLine = '';
  const progress = (text: string): void => {
    if (tty) {
      process.stderr.write(`\r\x1b[K${text}`);
    } else {
      // One line per round and phase, not per sample: logs stay readable.
      const key = text.replace(/, [^,]*$/, '');
      if (key !== lastLine) process.stderr.write(`${key}\n`);
      lastLine = key;
    }
  };
  process.stderr.write(`pausekit bench: seed ${seed}${quick ? ', quick' : ''}\n`);
  const defaults = defaultOptions(quick);
  const result = await runBench({
    ...defaults,
    latencyRounds: rounds ?? defaults.latencyRounds,
    seed, parts, progress, realtime,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  process.stdout.write(formatResult(result, markdown));
  // From here on a signal waits for the file being written: each is whole or absent.
  const held = new HeldSignals();
  try {
    if (result.latency) {
      const chart = join(dir, 'latency.svg');
      const m = result.machine;
      makeDirectory(dir);
      writeFileAtomic(chart, Buffer.from(latencyChart([
        { title: 'SIGTERM → exit, as PID 1', rows: result.latency.summary.pid1, samples: result.latency.samples.pid1 },
        { title: 'SIGTERM → exit, plain process', rows: result.latency.summary.plain, samples: result.latency.samples.plain },
      ], `Linux ${m.kernel}, ${m.cpus} CPUs, load ${m.loadavgStart.map((l) => l.toFixed(2)).join(' ')}; ${result.latency.rounds} rounds${realtime ? ', SCHED_FIFO' : ''}; seed ${seed}; ${result.started}`)));
      process.stdout.write(`chart: ${relative(process.cwd(), chart) || chart}\n`);
      await held.checkpoint(`${chart} was written whole`);
    }
    if (json !== undefined) {
      const file = resolve(json === true ? join(dir, 'results.json') : json);
      makeDirectory(dirname(file));
      writeFileAtomic(file, Buffer.from(JSON.stringify(result) + '\n'));
      process.stdout.write(`json: ${relative(process.cwd(), file) || file}\n`);
      await held.checkpoint(`${file} was written whole`);
    }
  } finally {
    held.release();
  }
  await writeHtml(html, () => benchPage(result));
  return 0;
}
