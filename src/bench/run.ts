// `pausekit bench`: runs the measurements in shuffled, interleaved rounds,
// summarises them as ratios to the kernel's floor, and checks the issue's
// targets. The C harness (bench/harness.c) does every timing; this module
// plans, collects, and reports.
import { constants, cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { PausekitError } from '../errors.ts';
import { Harness } from './harness.ts';
import { ROOT, binaryFacts, initPrograms, programs } from './programs.ts';
import type { Program, Skipped } from './programs.ts';
import { describeStatus, median, p99, prng, shuffle } from './stats.ts';
import { benchModel } from './model-bench.ts';
import type { ModelResult } from './model-bench.ts';
import { archSizes, type ArchSizes } from './sizes.ts';

export type Part = 'latency' | 'reaping' | 'footprint' | 'init' | 'sizes' | 'model';
export const PARTS: readonly Part[] = ['latency', 'reaping', 'footprint', 'init', 'sizes', 'model'];
export type Mode = 'pid1' | 'plain';
const MODES: readonly Mode[] = ['pid1', 'plain'];

export interface BenchOptions {
  quick: boolean;
  seed: number;
  parts: readonly Part[];
  /** Latency samples under SCHED_FIFO, shielded from other work on the machine. */
  realtime: boolean;
  latencyRounds: number;
  reaping: { n: number; rounds: number }[];
  model: { events: number; scenarios: number };
  /** Progress text ("which program, which round, of how many"). */
  progress: (text: string) => void;
}

/** The counts of a full run and of --quick (tiny: checks the code works). */
export function defaultOptions(quick: boolean): Omit<BenchOptions, 'seed' | 'parts' | 'progress' | 'realtime'> {
  return quick
    ? { quick, latencyRounds: 3, reaping: [{ n: 10, rounds: 2 }], model: { events: 400, scenarios: 10 } }
    : {
        quick,
        latencyRounds: 1000,
        reaping: [{ n: 100, rounds: 30 }, { n: 1000, rounds: 10 }, { n: 10000, rounds: 7 }],
        model: { events: 1000000, scenarios: 3000 },
      };
}

export interface Machine {
  kernel: string;
  cpus: number;
  cpuModel: string;
  node: string;
  loadavgStart: number[];
  loadavgEnd: number[];
}

export interface LatencySummary {
  id: string;
  label: string;
  samples: number;
  medianNs: number;
  p99Ns: number;
  medianRatio: number;
  p99Ratio: number;
  /** How the program ended, e.g. "exit 0" or "killed by signal 15". */
  statuses: string[];
  errors: string[];
}

export interface ReapingSummary {
  id: string;
  label: string;
  n: number;
  samples: number;
  medianNs: number;
  p99Ns: number;
  medianRatio: number;
  p99Ratio: number;
  cpuPerChildNsMedian: number;
  lagNsMedian: number;
  /**
   * The init's wake-ups from release until it sleeps again in its wait: its
   * voluntary context switches (it sleeps at both ends, so each one ends a
   * wake-up); 0 for an init the kernel never wakes (SIGCHLD ignored).
   * Absent in runs saved before it was measured.
   */
  wakeupsMedian?: number;
  /** Its involuntary context switches meanwhile (preempted), median. */
  preemptionsMedian?: number;
  errors: string[];
}

/** One reaping sample (wakeups and preemptions: absent in runs saved before they were measured). */
export interface ReapingSample {
  ns: number;
  cpuNs: number;
  lagNs: number;
  wakeups?: number;
  preemptions?: number;
}

export interface FootprintRow {
  id: string;
  label: string;
  binary: string;
  bytes: number;
  linking: 'static' | 'dynamic';
  vmRssKb: number | null;
  vmHwmKb: number | null;
  error?: string;
}

export interface Target {
  what: string;
  measured: string;
  target: string;
  met: boolean;
}

export interface BenchResult {
  version: 1;
  started: string;
  quick: boolean;
  /** Latency samples ran SCHED_FIFO (--realtime). */
  realtime: boolean;
  seed: number;
  machine: Machine;
  programs: { id: string; label: string; kind: Program['kind']; argv: string[] }[];
  skipped: Skipped[];
  latency?: {
    rounds: number;
    summary: Record<Mode, LatencySummary[]>;
    /** Raw samples in ns, per mode and program, in the order taken. */
    samples: Record<Mode, Record<string, number[]>>;
  };
  reaping?: { n: number; rounds: number; summary: ReapingSummary[]; samples: Record<string, ReapingSample[]> }[];
  footprint?: FootprintRow[];
  /** Every architecture's binary size per design (read from the files). */
  sizes?: ArchSizes[];
  /**
   * Init mode: SIGTERM to an init as PID 1, forwarded to its one program,
   * which dies of it; kill() to the init's exit. Ratios to init-floor.
   */
  init?: { rounds: number; summary: LatencySummary[]; samples: Record<string, number[]> };
  model?: ModelResult[] | { error: string };
  targets: Target[];
  /** The 1, 5 and 15 minute load averages just before each part ran. */
  loadavgBefore: Partial<Record<Part, number[]>>;
}

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

const tally = (list: string[]): string[] =>
  [...new Set(list)].map((text) => `${text}${list.filter((t) => t === text).length > 1 ? ` (×${list.filter((t) => t === text).length})` : ''}`);

/**
 * Signal to exit, in shuffled rounds: each program in each mode, every
 * round; ratios to `floorId`'s samples in the same mode. `part` names the
 * progress lines.
 */
async function measureLatency(
  harness: Harness, list: Program[], options: BenchOptions, random: () => number, stop: () => void,
  modes: readonly Mode[] = MODES, floorId = 'floor', part = 'latency',
) {
  const jobs = list.flatMap((p) => modes.map((mode) => ({ p, mode })));
  const samples: Record<Mode, Record<string, number[]>> = { pid1: {}, plain: {} };
  const statuses: Record<Mode, Record<string, string[]>> = { pid1: {}, plain: {} };
  const errors: Record<Mode, Record<string, string[]>> = { pid1: {}, plain: {} };
  for (const { p, mode } of jobs) {
    samples[mode][p.id] = [];
    statuses[mode][p.id] = [];
    errors[mode][p.id] = [];
  }
  const rounds = options.latencyRounds;
  for (let round = 1; round <= rounds; round++) {
    for (const { p, mode } of shuffle(jobs, random)) {
      options.progress(`${part}: round ${round} of ${rounds}, ${p.id} (${mode === 'pid1' ? 'PID 1' : 'plain'})`);
      const answer = await harness.ask(['L', p.id, mode, p.signal[mode]]);
      stop();
      if (answer.kind === 'L') {
        samples[mode][p.id]!.push(answer.ns);
        statuses[mode][p.id]!.push(describeStatus(answer.status));
      } else {
        errors[mode][p.id]!.push(answer.kind === 'E' ? answer.message : `unexpected answer ${answer.kind}`);
      }
    }
  }
  const summary = {} as Record<Mode, LatencySummary[]>;
  for (const mode of modes) {
    const floor = samples[mode][floorId] ?? [];
    const floorMedian = median(floor);
    const floorP99 = p99(floor);
    summary[mode] = list.map((p) => {
      const s = samples[mode][p.id]!;
      return {
        id: p.id, label: p.label, samples: s.length,
        medianNs: median(s), p99Ns: p99(s),
        medianRatio: median(s) / floorMedian, p99Ratio: p99(s) / floorP99,
        statuses: [...new Set(statuses[mode][p.id])],
        errors: tally(errors[mode][p.id]!),
      };
    });
  }
  return { rounds, summary, samples };
}

async function measureReaping(harness: Harness, list: Program[], options: BenchOptions, random: () => number, stop: () => void) {
  const results: NonNullable<BenchResult['reaping']> = [];
  for (const { n, rounds } of options.reaping) {
    const samples: Record<string, ReapingSample[]> = {};
    const errors: Record<string, string[]> = {};
    for (const p of list) {
      samples[p.id] = [];
      errors[p.id] = [];
    }
    for (let round = 1; round <= rounds; round++) {
      for (const p of shuffle(list, random)) {
        options.progress(`reaping ${n} orphans: round ${round} of ${rounds}, ${p.id}`);
        const answer = await harness.ask(['R', p.id, n]);
        stop();
        if (answer.kind === 'R') {
          const { ns, cpuNs, lagNs, wakeups, preemptions } = answer;
          samples[p.id]!.push({ ns, cpuNs, lagNs, wakeups, preemptions });
        }
        else errors[p.id]!.push(answer.kind === 'E' ? answer.message : `unexpected answer ${answer.kind}`);
      }
    }
    const floor = (samples['floor-autoreap'] ?? []).map((s) => s.ns);
    const summary = list.map((p): ReapingSummary => {
      const s = samples[p.id]!;
      const ns = s.map((x) => x.ns);
      return {
        id: p.id, label: p.label, n, samples: s.length,
        medianNs: median(ns), p99Ns: p99(ns),
        medianRatio: median(ns) / median(floor), p99Ratio: p99(ns) / p99(floor),
        cpuPerChildNsMedian: median(s.map((x) => x.cpuNs / n)),
        lagNsMedian: median(s.map((x) => x.lagNs)),
        wakeupsMedian: median(s.map((x) => x.wakeups ?? Number.NaN)),
        preemptionsMedian: median(s.map((x) => x.preemptions ?? Number.NaN)),
        errors: tally(errors[p.id]!),
      };
    });
    results.push({ n, rounds, summary, samples });
  }
  return results;
}

async function measureFootprint(harness: Harness, list: Program[], options: BenchOptions, stop: () => void): Promise<FootprintRow[]> {
  const rows: FootprintRow[] = [];
  for (const [i, p] of list.entries()) {
    options.progress(`footprint: ${i + 1} of ${list.length}, ${p.id}`);
    const answer = await harness.ask(['F', p.id]);
    stop();
    const facts = binaryFacts(p.binary);
    rows.push({
      id: p.id, label: p.label, binary: p.binary, ...facts,
      vmRssKb: answer.kind === 'F' ? answer.vmRssKb : null,
      vmHwmKb: answer.kind === 'F' ? answer.vmHwmKb : null,
      ...(answer.kind === 'E' ? { error: answer.message } : {}),
    });
  }
  return rows;
}

/** The issue's targets, judged on this run's numbers. */
export function judge(result: BenchResult): Target[] {
  const targets: Target[] = [];
  const x = (v: number): string => `${v.toFixed(2)}×`;
  const pid1 = result.latency?.summary.pid1;
  const pause = pid1?.find((r) => r.id === 'pause');
  if (pid1 && pause) {
    const peers = pid1.filter((r) => r.samples > 0 && (result.programs.find((p) => p.id === r.id)?.kind === 'peer' || r.id.startsWith('k8s-')));
    // Issue 14: median ≤ 1.03× and p99 ≤ 1.10× the floor; and ahead of every peer.
    for (const [q, limit] of [['median', 1.03], ['p99', 1.1]] as const) {
      const ratio = q === 'median' ? pause.medianRatio : pause.p99Ratio;
      const best = peers.reduce((m, r) => Math.min(m, q === 'median' ? r.medianRatio : r.p99Ratio), Infinity);
      targets.push({
        what: `SIGTERM → exit as PID 1, default build, ${q}`,
        measured: `${x(ratio)} floor; best peer ${Number.isFinite(best) ? x(best) : 'none'}`,
        target: `≤ ${limit.toFixed(2)}× floor and below every peer`,
        met: ratio <= limit && ratio < best,
      });
    }
    for (const [ours, theirs] of [['pause-handlers-musl', 'k8s-pause-musl'], ['pause-handlers-glibc', 'k8s-pause-glibc']] as const) {
      const a = pid1.find((r) => r.id === ours);
      const b = pid1.find((r) => r.id === theirs);
      if (a && b && a.samples > 0 && b.samples > 0) {
        targets.push({
          what: `handlers design vs Kubernetes pause, both ${ours.split('-').pop()}, PID 1 median`,
          measured: `${x(a.medianRatio)} vs ${x(b.medianRatio)}`,
          target: 'ahead of the Kubernetes pause built the same way',
          met: a.medianRatio < b.medianRatio,
        });
      }
    }
  }
  const init = result.init?.summary;
  const initPause = init?.find((r) => r.id === 'init-pause');
  const tini = init?.find((r) => r.id === 'init-tini');
  if (initPause && initPause.samples > 0) {
    for (const q of ['median', 'p99'] as const) {
      const ratio = q === 'median' ? initPause.medianRatio : initPause.p99Ratio;
      const ours = q === 'median' ? initPause.medianNs : initPause.p99Ns;
      const theirs = tini && tini.samples > 0 ? (q === 'median' ? tini.medianNs : tini.p99Ns) : Number.NaN;
      targets.push({
        what: `init mode: SIGTERM → forwarded → exit as PID 1, default build, ${q}`,
        measured: `${x(ratio)} init floor; ${Number.isFinite(theirs) ? `${x(ours / theirs)} tini` : 'tini not measured'}`,
        target: '≤ 1.10× init floor and ≤ 0.5× tini',
        met: ratio <= 1.1 && ours / theirs <= 0.5,
      });
    }
  }
  const largest = result.reaping?.at(-1);
  const reap = largest?.summary.find((r) => r.id === 'pause');
  if (largest && reap) {
    const peers = largest.summary.filter((r) => r.samples > 0 && result.programs.find((p) => p.id === r.id)?.kind === 'peer');
    const leanest = peers.reduce((m, r) => Math.min(m, r.cpuPerChildNsMedian), Infinity);
    // Issue 14: ≤ 1.05× the autoreap floor for the designs that call
    // waitpid, ≤ 1.02× and no wake-up at all for autoreap.
    for (const [id, limit] of [['pause', 1.05], ['pause-handlers', 1.05], ['pause-autoreap', 1.02]] as const) {
      const row = largest.summary.find((r) => r.id === id);
      if (!row || row.samples === 0) continue;
      const wakeups = id === 'pause-autoreap' && typeof row.wakeupsMedian === 'number';
      targets.push({
        what: `reaping ${largest.n} orphans, ${id}, median total time${wakeups ? ' and wake-ups' : ''}`,
        measured: `${x(row.medianRatio)} autoreap floor${wakeups ? `, ${row.wakeupsMedian} wake-ups` : ''}`,
        target: `≤ ${limit.toFixed(2)}× floor${wakeups ? ', 0 wake-ups' : ''}`,
        met: row.medianRatio <= limit && (!wakeups || row.wakeupsMedian === 0),
      });
    }
    targets.push({
      what: `reaping ${largest.n} orphans, init CPU per child`,
      measured: `${(reap.cpuPerChildNsMedian / 1000).toFixed(2)} µs; leanest peer ${(leanest / 1000).toFixed(2)} µs`,
      target: 'no more than any peer', met: reap.cpuPerChildNsMedian <= leanest,
    });
  }
  const fp = result.footprint?.find((r) => r.id === 'pause');
  if (fp) {
    targets.push({
      what: 'footprint, default build',
      measured: `${fp.linking}, ${fp.bytes} bytes, VmRSS ${fp.vmRssKb ?? '?'} kB`,
      target: 'static, ≤ 32 KiB, VmRSS ≤ 32 kB',
      met: fp.linking === 'static' && fp.bytes <= 32 * 1024 && fp.vmRssKb !== null && fp.vmRssKb <= 32,
    });
  }
  if (Array.isArray(result.model)) {
    const slowest = Math.min(...result.model.map((m) => m.eventsPerSecond));
    targets.push({
      what: 'model, settled events per second, worlds of 20 processes (slowest design and WASI)',
      measured: `${Math.round(slowest).toLocaleString('en-US')}/s`,
      target: '≥ 5,000,000/s', met: slowest >= 5e6,
    });
  }
  return targets;
}

/**
 * Runs the chosen parts; the harness kills and reaps everything, even on
 * SIGINT or SIGTERM, which then end the run with exit 128+signal. They are
 * held from the start: the build of the variants (synchronous) finishes and
 * removes its temporary directory before the interruption is seen.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  let interrupted: NodeJS.Signals | undefined;
  let harness: Harness | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted ??= signal;
    harness?.kill();
  };
  const stop = (): void => {
    if (interrupted) {
      throw new PausekitError(`interrupted by ${interrupted}; every process the benchmark started is killed and reaped`,
        { signal: interrupted }, 128 + constants.signals[interrupted]);
    }
  };
  const loadStart = loadavg();
  const started = new Date().toISOString();
  const native = options.parts.filter((p) => p !== 'model' && p !== 'sizes');
  let result: BenchResult;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    options.progress('building the variants and the Kubernetes reference');
    const all = programs();
    const inits = initPrograms();
    const measured = [...all.measured, ...inits.measured];
    const skipped = [...all.skipped, ...inits.skipped];
    // A signal during the build is seen now, at the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    stop();
    const random = prng(options.seed);
    result = {
      version: 1, started, quick: options.quick, realtime: options.realtime, seed: options.seed, machine: machine(loadStart),
      programs: measured.map((p) => ({ id: p.id, label: p.label, kind: p.kind, argv: p.argv })),
      skipped, targets: [], loadavgBefore: {},
    };
    if (native.length > 0) {
      const running = Harness.start(measured, { realtime: options.realtime });
      harness = running;
      try {
        if (options.parts.includes('latency')) {
          result.loadavgBefore.latency = loadavg();
          result.latency = await measureLatency(running, measured.filter((p) => p.in.latency), options, random, stop);
        }
        if (options.parts.includes('reaping')) {
          result.loadavgBefore.reaping = loadavg();
          result.reaping = await measureReaping(running, measured.filter((p) => p.in.reaping), options, random, stop);
        }
        if (options.parts.includes('footprint')) {
          result.loadavgBefore.footprint = loadavg();
          result.footprint = await measureFootprint(running, measured.filter((p) => p.in.footprint), options, stop);
        }
        if (options.parts.includes('init')) {
          result.loadavgBefore.init = loadavg();
          const init = await measureLatency(running, measured.filter((p) => p.in.init), options, random, stop, ['pid1'], 'init-floor', 'init');
          result.init = { rounds: init.rounds, summary: init.summary.pid1, samples: init.samples.pid1 };
        }
      } finally {
        await running.close();
      }
      stop();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (options.parts.includes('sizes')) result.sizes = archSizes(join(ROOT, 'build', 'native'));
  if (options.parts.includes('model')) {
    options.progress('model: settled events and property scenarios per second');
    result.loadavgBefore.model = loadavg();
    try {
      result.model = await benchModel({ ...options.model, seed: options.seed });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      result.model = { error: error.message.split('\n')[0] ?? String(error) };
    }
  }
  result.machine = machine(loadStart);
  result.targets = judge(result);
  return result;
}
