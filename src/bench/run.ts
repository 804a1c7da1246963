// `pausekit bench`: runs the chosen parts in turn (each in shuffled,
// interleaved rounds), records the load average before each, and judges
// the targets on the figures. The C harness (bench/harness.c) does every
// native timing; this module decides what can run here, builds it into the
// work directory, and collects. A part that cannot run here is named as
// skipped with one line saying what it needs.
import { constants, cpus, loadavg, release } from 'node:os';
import { join, relative } from 'node:path';
import { PausekitError } from '../errors.ts';
import { CHECKOUT, ROOT, SAVED_RESULTS, benchTool, shownPath } from './build.ts';
import type { KubernetesSource } from './build.ts';
import { criBlocker, measureCri } from './cri.ts';
import { Harness } from './harness.ts';
import { measureFootprint, measureLatency, measureReaping } from './measure.ts';
import { benchModel } from './model-bench.ts';
import { initPrograms, programs, type Program, type Skipped } from './programs.ts';
import { NATIVE_PARTS, PARTS, type BenchResult, type CriResult, type Machine, type Part } from './result.ts';
import { archSizes } from './sizes.ts';
import { prng } from './stats.ts';
import { judge } from './targets.ts';

export interface BenchOptions {
  quick: boolean;
  seed: number;
  parts: readonly Part[];
  /** Latency samples under SCHED_FIFO, shielded from other work on the machine. */
  realtime: boolean;
  latencyRounds: number;
  reaping: { n: number; rounds: number }[];
  model: { events: number; scenarios: number };
  cri: { rounds: number; warmup: number; snapshotter: CriResult['snapshotter'] };
  /** Where the benchmark builds its programs (see build.ts). */
  work: string;
  /** The Kubernetes pause.c, when given: its rows are skipped without it. */
  k8sSource?: KubernetesSource;
  /** Progress text ("which program, which round, of how many"). */
  progress: (text: string) => void;
}

/** The counts of a full run and of --quick (tiny: checks the code works). */
export function defaultOptions(quick: boolean): Pick<BenchOptions, 'quick' | 'latencyRounds' | 'reaping' | 'model' | 'cri'> {
  return quick
    ? { quick, latencyRounds: 3, reaping: [{ n: 10, rounds: 2 }], model: { events: 400, scenarios: 10 },
        cri: { rounds: 2, warmup: 0, snapshotter: 'native' } }
    : {
        quick,
        latencyRounds: 1000,
        reaping: [{ n: 100, rounds: 30 }, { n: 1000, rounds: 10 }, { n: 10000, rounds: 7 }],
        model: { events: 1000000, scenarios: 3000 },
        cri: { rounds: 30, warmup: 3, snapshotter: 'native' },
      };
}

/** The machine a run ran on: kernel, CPUs, node, and the load averages at its start and now. */
function machine(loadavgStart: number[]): Machine {
  const cpu = cpus();
  return {
    kernel: release(),
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadavgStart,
    loadavgEnd: loadavg(),
  };
}

/** Why the harness's parts cannot run here (one line), or undefined; builds the harness if needed. */
function nativeBlocker(work: string): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root: each sample starts the program as PID 1 of a new PID namespace';
  return benchTool(work, 'harness').reason;
}

/** What a run holds while its parts run: the result so far, the harness once started, the interruption. */
interface Run {
  options: BenchOptions;
  result: BenchResult;
  measured: Program[];
  random: () => number;
  harness?: Harness;
  stop: () => void;
}

/** The harness, started on the first part that needs it. */
function harnessOf(run: Run): Harness {
  run.harness ??= Harness.start(run.measured, { realtime: run.options.realtime, work: run.options.work });
  return run.harness;
}

/** Each part's measurement, in the order PARTS gives. */
const MEASURE: Record<Part, (run: Run) => Promise<void>> = {
  async latency(run) {
    const list = run.measured.filter((p) => p.in.latency);
    run.result.latency = await measureLatency(harnessOf(run), list, run.options, run.random, run.stop);
  },
  async init(run) {
    const list = run.measured.filter((p) => p.in.init);
    const init = await measureLatency(harnessOf(run), list, run.options, run.random, run.stop, ['pid1'], 'init-floor', 'init');
    run.result.init = { rounds: init.rounds, summary: init.summary.pid1, samples: init.samples.pid1 };
  },
  async footprint(run) {
    run.result.footprint = await measureFootprint(harnessOf(run), run.measured.filter((p) => p.in.footprint), run.options, run.stop);
  },
  async model(run) {
    run.options.progress('model: settled events and property scenarios per second');
    try {
      run.result.model = await benchModel({ ...run.options.model, seed: run.options.seed });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      run.result.model = { error: error.message.split('\n')[0] ?? String(error) };
    }
  },
  async reaping(run) {
    run.result.reaping = await measureReaping(harnessOf(run), run.measured.filter((p) => p.in.reaping), run.options, run.random, run.stop);
  },
  async sizes(run) {
    run.result.sizes = archSizes(join(ROOT, 'build', 'native'));
  },
  async cri(run) {
    const { options } = run;
    const cri = await measureCri({ ...options.cri, seed: options.seed, work: options.work, progress: options.progress, stop: run.stop,
      ...(options.k8sSource === undefined ? {} : { k8sSource: options.k8sSource }) });
    run.result.cri = cri.result;
    run.result.skipped.push(...cri.skipped);
  },
};

/** The parts asked for that cannot run here, each with its one line; builds what the others need. */
async function plan(options: BenchOptions): Promise<{ skipped: Skipped[]; measured: Program[]; parts: Part[] }> {
  const skipped: Skipped[] = [];
  const partSkipped = (part: Part, reason: string): void => {
    skipped.push({ id: part, label: `the ${part} part`, reason });
  };
  const runnable = (): Part[] => PARTS.filter((part) => options.parts.includes(part) && !skipped.some((s) => s.id === part));
  const native = options.parts.filter((part) => NATIVE_PARTS.includes(part));
  const blocker = native.length > 0 ? nativeBlocker(options.work) : undefined;
  if (blocker !== undefined) for (const part of native) partSkipped(part, blocker);
  const criReason = options.parts.includes('cri') ? await criBlocker() : undefined;
  if (criReason !== undefined) partSkipped('cri', criReason);
  if (native.length === 0 || blocker !== undefined) return { skipped, measured: [], parts: runnable() };
  options.progress('building the variants and the references');
  const all = programs(options);
  const inits = options.parts.includes('init') ? initPrograms(options) : { measured: [], skipped: [] };
  return { skipped: [...skipped, ...all.skipped, ...inits.skipped], measured: [...all.measured, ...inits.measured], parts: runnable() };
}

/**
 * Runs the chosen parts; the harness kills and reaps everything, even on
 * SIGINT or SIGTERM, which then end the run with exit 128+signal. They are
 * held from the start: the builds (synchronous) finish and remove their
 * temporary directories before the interruption is seen.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  let interrupted: NodeJS.Signals | undefined;
  let run: Run | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= signal;
    run?.harness?.kill();
  };
  const stop = (): void => {
    if (interrupted) {
      throw new PausekitError(`interrupted by ${interrupted}; every process the benchmark started is killed and reaped`,
        { signal: interrupted }, 128 + constants.signals[interrupted]);
    }
  };
  const loadStart = loadavg();
  const started = new Date().toISOString();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { skipped, measured, parts } = await plan(options);
    // A signal during the builds is seen now, at the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    stop();
    const result: BenchResult = {
      version: 1, started, quick: options.quick, realtime: options.realtime, seed: options.seed, machine: machine(loadStart),
      programs: measured.map((p) => ({ id: p.id, label: p.label, kind: p.kind, argv: p.argv.map(shownPath) })),
      skipped, targets: [], loadavgBefore: {},
    };
    run = { options, result, measured, random: prng(options.seed), stop };
    try {
      for (const part of parts) {
        result.loadavgBefore[part] = loadavg();
        await MEASURE[part](run);
        stop();
      }
    } finally {
      await run.harness?.close();
    }
    stop();
    result.machine = machine(loadStart);
    result.targets = judge(result);
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
/**
 * The highest 1-minute load average the run saw before the reaping part
 * (whose own 10,000 runnable orphans would count), and when.
 */
export function peakLoad(result: BenchResult): { load: number; when: string } {
  const seen: [string, number][] = [['at the start', result.machine.loadavgStart[0] ?? 0]];
  for (const part of ['latency', 'init', 'footprint', 'model', 'reaping'] as const) {
    const load = result.loadavgBefore[part]?.[0];
    if (load !== undefined) seen.push([`before the ${part} part`, load]);
  }
  const [when, load] = seen.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { load, when };
}

/** Whether a path lies in the checkout's saved results (bench/results/). */
const inSavedResults = (path: string): boolean => CHECKOUT && !relative(SAVED_RESULTS, path).startsWith('..');

/**
 * Why this run may not be written where it was asked (the checkout's saved
 * results take only full runs on a quiet machine), or undefined.
 */
export function savingRefusal(result: BenchResult, files: string[]): string | undefined {
  if (!files.some(inSavedResults)) return undefined;
  if (result.quick) return 'a quick run\'s figures mean nothing';
  const { load, when } = peakLoad(result);
  if (load > result.machine.cpus) {
    return `the 1-minute load average was ${load.toFixed(2)} ${when}, above the ${result.machine.cpus} CPUs: other work shared the machine`;
  }
  return undefined;
}

