// The shape of a benchmark run's result, as `pausekit bench --json` saves
// it and `--from` reads it back: the machine, the programs, each part's
// summaries and raw samples, and the targets as judged on them.
import type { ModelResult } from './model-bench.ts';
import type { Program, Skipped } from './programs.ts';
import type { ArchSizes } from './sizes.ts';

/** The parts of a run, in the order they run (reaping last: its orphans load the machine). */
export type Part = 'latency' | 'init' | 'footprint' | 'model' | 'reaping' | 'sizes' | 'cri';
/** Every part `--only` takes. */
export const PARTS: readonly Part[] = ['latency', 'init', 'footprint', 'model', 'reaping', 'sizes', 'cri'];
/** The parts of a run without --only: all but the CRI's, which needs containerd and minutes of its own. */
export const DEFAULT_PARTS: readonly Part[] = PARTS.filter((part) => part !== 'cri');
/** The parts the C harness times: they need root (PID namespaces) and the harness built. */
export const NATIVE_PARTS: readonly Part[] = ['latency', 'init', 'footprint', 'reaping'];
export type Mode = 'pid1' | 'plain';

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
  /** null: not measured (a row it compares with was skipped). */
  met: boolean | null;
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
  cri?: CriResult;
  targets: Target[];
  /** The 1, 5 and 15 minute load averages just before each part ran. */
  loadavgBefore: Partial<Record<Part, number[]>>;
}

/** One sandbox image of the CRI part: its sizes, and each pod's start and stop in ms. */
export interface CriRow {
  id: string;
  label: string;
  binaryBytes: number;
  archiveBytes: number;
  layerBytes: number;
  /** The image size containerd reports (ImageStatus). */
  storeBytes: number;
  startMs: number[];
  stopMs: number[];
}

/** The CRI part: pods started and stopped through containerd's CRI, per sandbox image. */
export interface CriResult {
  rounds: number;
  warmup: number;
  snapshotter: 'native' | 'overlayfs';
  /** containerd's name and version, as CRI Version reports them. */
  containerd: string;
  rows: CriRow[];
}
