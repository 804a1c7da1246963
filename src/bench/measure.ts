// The three measurements the C harness makes, each in shuffled rounds:
// SIGTERM to exit (latency, and init mode), reaping adopted orphans, and
// the idle footprint; summarised as medians and p99, and as ratios to the
// floor measured in the same rounds.
import type { Harness } from './harness.ts';
import { binaryFacts, type Program } from './programs.ts';
import type { BenchResult, FootprintRow, LatencySummary, Mode, ReapingSample, ReapingSummary } from './result.ts';
import { describeStatus, median, p99, shuffle } from './stats.ts';
import { shownPath } from './build.ts';

/** What a measurement needs of the run's options. */
export interface MeasureOptions {
  latencyRounds: number;
  reaping: { n: number; rounds: number }[];
  progress: (text: string) => void;
}

const MODES: readonly Mode[] = ['pid1', 'plain'];

/** Each distinct error once, with how many times it came: "timed out (×3)". */
const tally = (list: string[]): string[] =>
  [...new Set(list)].map((text) => `${text}${list.filter((t) => t === text).length > 1 ? ` (×${list.filter((t) => t === text).length})` : ''}`);

/**
 * Signal to exit, in shuffled rounds: each program in each mode, every
 * round; ratios to `floorId`'s samples in the same mode. `part` names the
 * progress lines.
 */
export async function measureLatency(
  harness: Harness, list: Program[], options: MeasureOptions, random: () => number, stop: () => void,
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

/** Orphans adopted by the init and released together, each size in turn; ratios to the autoreap floor. */
export async function measureReaping(harness: Harness, list: Program[], options: MeasureOptions, random: () => number, stop: () => void) {
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

/** Each program idle as PID 1: its file and resident set. */
export async function measureFootprint(harness: Harness, list: Program[], options: MeasureOptions, stop: () => void): Promise<FootprintRow[]> {
  const rows: FootprintRow[] = [];
  for (const [i, p] of list.entries()) {
    options.progress(`footprint: ${i + 1} of ${list.length}, ${p.id}`);
    const answer = await harness.ask(['F', p.id]);
    stop();
    const facts = binaryFacts(p.binary);
    rows.push({
      id: p.id, label: p.label, binary: shownPath(p.binary), ...facts,
      vmRssKb: answer.kind === 'F' ? answer.vmRssKb : null,
      vmHwmKb: answer.kind === 'F' ? answer.vmHwmKb : null,
      ...(answer.kind === 'E' ? { error: answer.message } : {}),
    });
  }
  return rows;
}
