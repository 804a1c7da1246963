// The targets `pausekit bench` holds pause to, as data: what is measured,
// the limit, and how a run's figures are judged against it. The command
// prints them (`--targets`), judges every run on them (a missed one makes
// the exit status 1), and `--from` judges a saved run on them again, so
// the table a run prints, the one docs/performance.md shows and the code
// are one list.
import type { BenchResult, LatencySummary, Part, ReapingSummary, Target } from './result.ts';

/** One target: its part, what it measures, its limit, and its judge. */
export interface TargetRule {
  part: Part;
  what: string;
  target: string;
  /** What this run measured, and whether that meets the target (null: a row it compares with was not measured). */
  judge(result: BenchResult): { measured: string; met: boolean | null };
}

const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '-');

/** A row of one of ours that must have been measured; else the reason it was not, as the measured text. */
function ours<T extends { id: string; samples: number; errors: string[] }>(rows: T[] | undefined, id: string): T | { missing: string } {
  const row = rows?.find((r) => r.id === id);
  if (row === undefined) return { missing: `${id} not measured` };
  return row.samples > 0 ? row : { missing: `${id} failed: ${row.errors.join('; ') || 'no samples'}` };
}

/** Whether a run's program is one of the peers (tini, dumb-init, catatonit) or the Kubernetes pause. */
function isPeerOrReference(result: BenchResult, id: string): boolean {
  const kind = result.programs.find((p) => p.id === id)?.kind;
  return kind === 'peer' || kind === 'reference';
}

/** SIGTERM → exit as PID 1: the default build at a quantile, against the floor's. */
function latencyVsFloor(q: 'median' | 'p99', limit: number): TargetRule {
  return {
    part: 'latency',
    what: `SIGTERM → exit as PID 1, pause, ${q}`,
    target: `≤ ${limit.toFixed(2)}× floor`,
    judge(result) {
      const pause = ours(result.latency?.summary.pid1, 'pause');
      if ('missing' in pause) return { measured: pause.missing, met: false };
      const ratio = q === 'median' ? pause.medianRatio : pause.p99Ratio;
      return { measured: `${x(ratio)} floor`, met: ratio <= limit };
    },
  };
}

/** SIGTERM → exit as PID 1: the default build ahead of every peer and the Kubernetes pause, at the median. */
const latencyVsPeers: TargetRule = {
  part: 'latency',
  what: 'SIGTERM → exit as PID 1, pause, median',
  target: 'below every peer and Kubernetes pause',
  judge(result) {
    const rows = result.latency?.summary.pid1;
    const pause = ours(rows, 'pause');
    if ('missing' in pause) return { measured: pause.missing, met: false };
    const others = (rows ?? []).filter((r) => r.samples > 0 && isPeerOrReference(result, r.id));
    if (others.length === 0) return { measured: `${x(pause.medianRatio)} floor; no peer measured`, met: null };
    const best = others.reduce((a, b) => (b.medianRatio < a.medianRatio ? b : a));
    return { measured: `${x(pause.medianRatio)} floor; best other ${best.id} ${x(best.medianRatio)}`, met: pause.medianRatio < best.medianRatio };
  },
};

/** The handlers design against the Kubernetes pause (also handlers), both built with the same libc. */
function handlersVsKubernetes(libc: 'musl' | 'glibc'): TargetRule {
  return {
    part: 'latency',
    what: `SIGTERM → exit as PID 1, pause-handlers-${libc} vs k8s-pause-${libc}, median`,
    target: 'below the Kubernetes pause built the same way',
    judge(result) {
      const rows = result.latency?.summary.pid1;
      const a = ours(rows, `pause-handlers-${libc}`);
      const b = rows?.find((r) => r.id === `k8s-pause-${libc}` && r.samples > 0);
      if ('missing' in a || b === undefined) return { measured: 'missing' in a ? a.missing : `k8s-pause-${libc} not measured`, met: null };
      return { measured: `${x(a.medianRatio)} vs ${x(b.medianRatio)} floor`, met: a.medianRatio < b.medianRatio };
    },
  };
}

/** Init mode: SIGTERM forwarded to the program, the init's exit; against the smallest correct init. */
function initVsFloor(q: 'median' | 'p99', limit: number): TargetRule {
  return {
    part: 'init',
    what: `init mode: SIGTERM → forwarded → exit as PID 1, pause, ${q}`,
    target: `≤ ${limit.toFixed(2)}× init floor`,
    judge(result) {
      const pause = ours(result.init?.summary, 'init-pause');
      if ('missing' in pause) return { measured: pause.missing, met: false };
      const ratio = q === 'median' ? pause.medianRatio : pause.p99Ratio;
      return { measured: `${x(ratio)} init floor`, met: ratio <= limit };
    },
  };
}

/** Init mode: pause ahead of tini, dumb-init and catatonit running the same program. */
const initVsPeers: TargetRule = {
  part: 'init',
  what: 'init mode: SIGTERM → forwarded → exit as PID 1, pause, median',
  target: 'below every peer init',
  judge(result) {
    const rows: LatencySummary[] = result.init?.summary ?? [];
    const pause = ours(rows, 'init-pause');
    if ('missing' in pause) return { measured: pause.missing, met: false };
    const peers = rows.filter((r) => r.samples > 0 && isPeerOrReference(result, r.id));
    if (peers.length === 0) return { measured: `${x(pause.medianRatio)} init floor; no peer measured`, met: null };
    const best = peers.reduce((a, b) => (b.medianRatio < a.medianRatio ? b : a));
    return { measured: `${x(pause.medianRatio)} vs ${best.id} ${x(best.medianRatio)}`, met: pause.medianRatio < best.medianRatio };
  },
};

/** The reaping rows of the run's largest number of orphans (10,000 in a full run). */
const largestReaping = (result: BenchResult): { n: number; summary: ReapingSummary[] } | undefined => result.reaping?.at(-1);

/** Reaping the most orphans: a design's median time to the last reap against the autoreap floor. */
function reapingVsFloor(id: string, limit: number): TargetRule {
  const autoreap = id === 'pause-autoreap';
  return {
    part: 'reaping',
    what: `reaping the most orphans (10,000 in a full run), ${id}, median${autoreap ? ', wake-ups' : ''}`,
    target: `≤ ${limit.toFixed(2)}× autoreap floor${autoreap ? ', 0 wake-ups' : ''}`,
    judge(result) {
      const row = ours(largestReaping(result)?.summary, id);
      if ('missing' in row) return { measured: row.missing, met: false };
      const wakeups = autoreap && typeof row.wakeupsMedian === 'number' ? `, ${row.wakeupsMedian} wake-ups` : '';
      return { measured: `${x(row.medianRatio)} floor${wakeups}`, met: row.medianRatio <= limit && (!autoreap || row.wakeupsMedian === 0) };
    },
  };
}

/** Reaping the most orphans: the default build's CPU per orphan against the leanest peer's. */
const reapingCpu: TargetRule = {
  part: 'reaping',
  what: 'reaping the most orphans, pause, init CPU per child (median)',
  target: 'no more than any peer',
  judge(result) {
    const largest = largestReaping(result);
    const pause = ours(largest?.summary, 'pause');
    if ('missing' in pause) return { measured: pause.missing, met: false };
    const us = (ns: number): string => `${(ns / 1000).toFixed(2)} µs`;
    const peers = (largest?.summary ?? []).filter((r) => r.samples > 0 && result.programs.find((p) => p.id === r.id)?.kind === 'peer');
    if (peers.length === 0) return { measured: `${us(pause.cpuPerChildNsMedian)}; no peer measured`, met: null };
    const leanest = peers.reduce((a, b) => (b.cpuPerChildNsMedian < a.cpuPerChildNsMedian ? b : a));
    return {
      measured: `${us(pause.cpuPerChildNsMedian)}; ${leanest.id} ${us(leanest.cpuPerChildNsMedian)}`,
      met: pause.cpuPerChildNsMedian <= leanest.cpuPerChildNsMedian,
    };
  },
};

/** The default build's file and idle resident set. */
const footprint: TargetRule = {
  part: 'footprint',
  what: 'footprint idle as PID 1, pause',
  target: 'static, ≤ 32 KiB, VmRSS ≤ 32 kB',
  judge(result) {
    const fp = result.footprint?.find((r) => r.id === 'pause');
    if (fp === undefined) return { measured: 'pause not measured', met: false };
    return {
      measured: `${fp.linking}, ${fp.bytes} bytes, VmRSS ${fp.vmRssKb ?? '?'} kB`,
      met: fp.linking === 'static' && fp.bytes <= 32 * 1024 && fp.vmRssKb !== null && fp.vmRssKb <= 32,
    };
  },
};

/** The model's speed in the worlds property tests use, at its slowest design and WASI runtime. */
const modelSpeed: TargetRule = {
  part: 'model',
  what: 'model, settled events per second, worlds of 20 processes (slowest design and WASI)',
  target: '≥ 5,000,000/s',
  judge(result) {
    if (!Array.isArray(result.model)) return { measured: `failed: ${result.model?.error ?? 'not measured'}`, met: false };
    const slowest = Math.min(...result.model.map((m) => m.eventsPerSecond));
    return { measured: `${Math.round(slowest).toLocaleString('en-US')}/s`, met: slowest >= 5e6 };
  },
};

/** Every target, in the order the tables print them. */
export const TARGETS: readonly TargetRule[] = [
  latencyVsFloor('median', 1.03),
  latencyVsFloor('p99', 1.03),
  latencyVsPeers,
  handlersVsKubernetes('musl'),
  handlersVsKubernetes('glibc'),
  initVsFloor('median', 1.1),
  initVsFloor('p99', 1.1),
  initVsPeers,
  reapingVsFloor('pause', 1.05),
  reapingVsFloor('pause-handlers', 1.05),
  reapingVsFloor('pause-autoreap', 1.02),
  reapingCpu,
  footprint,
  modelSpeed,
];

/** Whether a run has a part's figures at all (a part not run, or skipped, has no targets judged). */
function ran(result: BenchResult, part: Part): boolean {
  switch (part) {
    case 'latency': return result.latency !== undefined;
    case 'init': return result.init !== undefined;
    case 'reaping': return result.reaping !== undefined && result.reaping.length > 0;
    case 'footprint': return result.footprint !== undefined;
    case 'model': return result.model !== undefined;
    default: return false;
  }
}

/** The targets of the parts this run has, each judged on its figures. */
export function judge(result: BenchResult): Target[] {
  return TARGETS.filter((rule) => ran(result, rule.part)).map((rule) => ({ what: rule.what, target: rule.target, ...rule.judge(result) }));
}
