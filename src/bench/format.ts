// The benchmark's terminal output: one table per measurement, ratios to the
// floor first (the headline), absolute times after, and the machine; what
// was skipped, one line per reason; the targets, judged.
import type { BenchResult, CriResult, LatencySummary, Part } from './result.ts';
import { median, p99 } from './stats.ts';
import { TARGETS } from './targets.ts';

/** Tables as plain text for the terminal, or as Markdown for the README. */
let markdown = false;

/** A plain-text table; numeric-looking cells are right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const numeric = (cell: string): boolean => /^[\d.,×µ% -]+(µs|ms|kB|KiB|B|×|\/s)?$/.test(cell) && /\d/.test(cell);
  if (markdown) {
    const esc = (c: string): string => c.replace(/\|/g, '\\|');
    const right = headers.map((_, i) => i > 0 && rows.length > 0 && rows.every((r) => numeric(r[i] ?? '')));
    return ['', `| ${headers.map(esc).join(' | ')} |`, `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`,
      ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (numeric(c) && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ratio = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '-');
const us = (ns: number): string => (Number.isFinite(ns) ? `${(ns / 1000).toFixed(1)} µs` : '-');
const perSecond = (v: number): string => `${Math.round(v).toLocaleString('en-US')}/s`;
const ms = (ns: number): string => (Number.isFinite(ns) ? `${(ns / 1e6).toFixed(1)} ms` : '-');
/** A median count: whole, or to one decimal between two ranks; '-' if not measured (runs saved before). */
const count = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/** " (load average before: 0.12 0.30 0.25)" for a part, if recorded. */
function loadBefore(result: BenchResult, part: keyof BenchResult['loadavgBefore']): string {
  const load = result.loadavgBefore[part];
  return load ? ` (load average before: ${load.map((l) => l.toFixed(2)).join(' ')})` : '';
}

export function machineLine(result: BenchResult): string {
  const m = result.machine;
  return `machine: Linux ${m.kernel}, ${m.cpus} CPUs (${m.cpuModel}), load average ${m.loadavgStart.map((l) => l.toFixed(2)).join(' ')} at start, ` +
    `${m.loadavgEnd.map((l) => l.toFixed(2)).join(' ')} at end; node ${m.node}; seed ${result.seed}${result.quick ? '; QUICK run (tiny counts, figures not meaningful)' : ''}`;
}

/**
 * Every table of a result, as printed by `pausekit bench` (as Markdown with
 * asMarkdown); with `only`, just those parts' tables (and the machine line
 * unless they are only the sizes, which do not depend on the machine).
 */
export function formatResult(result: BenchResult, asMarkdown = false, only?: readonly Part[]): string {
  markdown = asMarkdown;
  try {
    return formatTables(result, only);
  } finally {
    markdown = false;
  }
}

const bytes = (n: number): string => (n < 10240 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

/** Each architecture's binary per design, one row per platform. */
function sizesTable(sizes: NonNullable<BenchResult['sizes']>): string[] {
  const built = [...new Set(sizes.flatMap((row) => row.designs.map((d) => d.design)))];
  const designs = built.length > 0 ? built : ['sigwait'];
  const defaults = new Set(sizes.filter((row) => row.missing === undefined).map((row) => row.defaultDesign));
  const heading = (design: string): string => (defaults.size === 1 && defaults.has(design) ? `pause-${design} (= pause)` : `pause-${design}`);
  return [
    'Binary size per architecture and design: the libc-free builds in build/native/, read from the files',
    table(
      ['platform', ...designs.map(heading), 'linking'],
      sizes.map((row) =>
        row.missing !== undefined
          ? [row.platform, ...designs.map((_, i) => (i === 0 ? row.missing! : '')), '']
          : [
              row.platform,
              ...designs.map((design) => {
                const found = row.designs.find((d) => d.design === design);
                return found === undefined ? '-' : bytes(found.bytes);
              }),
              [...new Set(row.designs.map((d) => d.linking))].join(', '),
            ],
      ),
    ),
    '',
  ];
}

/** A SIGTERM → exit table (latency or init mode): its title, rows as ratios to `floor`, and the note under it. */
function signalTable(title: string, floor: string, rows: LatencySummary[], note: string): string[] {
  return [
    title,
    table(
      ['program', `median ×${floor}`, `p99 ×${floor}`, 'median', 'p99', 'n', 'ended by'],
      rows.map((r) => [
        r.id, ratio(r.medianRatio), ratio(r.p99Ratio), us(r.medianNs), us(r.p99Ns), String(r.samples),
        r.samples > 0 ? r.statuses.join(', ') : `failed: ${r.errors.join('; ')}`,
      ]),
    ),
    ...(markdown ? [''] : []),
    note,
    '',
  ];
}

/** SIGTERM → exit as PID 1 and as a plain process, then init mode. */
function signalTables(result: BenchResult, show: (part: Part) => boolean): string[] {
  const out: string[] = [];
  const fifo = result.realtime ? ', SCHED_FIFO (--realtime)' : '';
  if (result.latency && show('latency')) {
    out.push(...signalTable(`SIGTERM → exit as PID 1 of a fresh PID namespace: kill() to the parent's waitpid(), ${result.latency.rounds} shuffled rounds` +
      `${fifo}${loadBefore(result, 'latency')}`, 'floor', result.latency.summary.pid1,
    'floor: no handler; a namespace init ignores SIGTERM at its default action, so the floor gets SIGKILL (the kernel cost of dying).'));
    out.push(...signalTable(`SIGTERM → exit as a plain process: kill() to the parent's waitpid(), ${result.latency.rounds} shuffled rounds` +
      `${fifo}${loadBefore(result, 'latency')}`, 'floor', result.latency.summary.plain, 'floor: no handler, killed by SIGTERM\'s default action.'));
  }
  if (result.init && show('init')) {
    out.push(...signalTable('Init mode as PID 1: SIGTERM to the init → forwarded → its program dies → the init exits; kill() to the parent\'s waitpid(), ' +
      `${result.init.rounds} shuffled rounds${fifo}${loadBefore(result, 'init')}`, 'init floor', result.init.summary,
    'init floor: bench/init-floor.c, the smallest correct init; every init runs the same program (bench/floor.c), which dies of the forwarded SIGTERM.'));
  }
  return out;
}

/** One table per number of orphans reaped. */
function reapingTables(result: BenchResult): string[] {
  const out: string[] = [];
  for (const size of result.reaping ?? []) {
    out.push(`Reaping ${size.n.toLocaleString('en-US')} orphans as PID 1: release to last reap, ${size.rounds} shuffled rounds (floor: SIGCHLD = SIG_IGN, the kernel reaps)${loadBefore(result, 'reaping')}`);
    // Runs saved before the wake-ups were measured have none: no column.
    const wake = size.summary.some((r) => typeof r.wakeupsMedian === 'number');
    const only = (cells: string[]): string[] => (wake ? cells : cells.filter((_, i) => i !== 6));
    out.push(table(
      only(['program', 'median ×floor', 'p99 ×floor', 'median', 'p99', 'init CPU/child', 'wake-ups', 'last exit → last reap', 'n']),
      size.summary.map((r) => only(r.samples === 0
        ? [r.id, `failed: ${r.errors.join('; ')}`, '', '', '', '', '', '', '0']
        : [r.id, ratio(r.medianRatio), ratio(r.p99Ratio), ms(r.medianNs), ms(r.p99Ns),
            us(r.cpuPerChildNsMedian), count(r.wakeupsMedian), us(r.lagNsMedian), String(r.samples)])),
    ));
    if (wake) {
      if (markdown) out.push('');
      out.push('wake-ups: the init\'s voluntary context switches from release until it sleeps again in its wait (median); 0: nothing woke it.');
    }
    out.push('');
  }
  return out;
}

/** The idle footprint of every program. */
function footprintTable(result: BenchResult, rows: NonNullable<BenchResult['footprint']>): string[] {
  return [
    `Footprint idle as PID 1 (the init process only)${loadBefore(result, 'footprint')}`,
    table(
      ['program', 'binary', 'linking', 'VmRSS', 'VmHWM'],
      rows.map((r) => [
        r.id, bytes(r.bytes), r.linking,
        r.vmRssKb === null ? `failed: ${r.error ?? ''}` : `${r.vmRssKb} kB`, r.vmHwmKb === null ? '-' : `${r.vmHwmKb} kB`,
      ]),
    ),
    '',
  ];
}

/** The targets as judged: met, MISSED, not measured; a quick run's are listed, not judged. */
function targetsTable(result: BenchResult): string[] {
  if (result.targets.length === 0) return [];
  const verdict = (met: boolean | null): string => (result.quick ? '-' : met === null ? 'not measured' : met ? 'met' : 'MISSED');
  return [
    result.quick ? 'Targets (not judged: a quick run\'s figures mean nothing)' : 'Targets',
    table(['', 'target', 'measured', ''], result.targets.map((t) => [t.what, t.target, t.measured, verdict(t.met)])),
    '',
  ];
}

/** Every table in reading order; with `only`, just those parts' (no skipped lines, no targets). */
function formatTables(result: BenchResult, only?: readonly Part[]): string {
  const show = (part: Part): boolean => only === undefined || only.includes(part);
  const out: string[] = only !== undefined && only.every((part) => part === 'sizes') ? [] : [machineLine(result), ''];
  out.push(...signalTables(result, show));
  if (show('reaping')) out.push(...reapingTables(result));
  if (result.footprint && show('footprint')) out.push(...footprintTable(result, result.footprint));
  if (result.sizes && show('sizes')) out.push(...sizesTable(result.sizes));
  if (result.model && show('model')) {
    out.push(`The model through its TypeScript API${loadBefore(result, 'model')}`);
    out.push(Array.isArray(result.model) ? modelTable(result.model) : `failed: ${result.model.error}`);
    out.push('');
  }
  if (result.cri && show('cri')) out.push(...criTable(result.cri), '');
  if (only !== undefined) return out.join('\n');
  if (result.skipped.length > 0) out.push('Skipped', ...skippedLines(result.skipped), '');
  out.push(...targetsTable(result));
  return out.join('\n');
}

/** One line per reason, naming every program or part skipped for it. */
function skippedLines(skipped: BenchResult['skipped']): string[] {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.id]);
  return [...byReason].map(([reason, ids]) => `${markdown ? '- ' : ''}${ids.join(', ')}: ${reason}`);
}

/** Every target `pausekit bench` judges, by part (`--targets`): the same list a run's Targets table comes from. */
export function formatTargets(asMarkdown = false): string {
  markdown = asMarkdown;
  try {
    return `${table(['part', 'what', 'target'], TARGETS.map((t) => [t.part, t.what, t.target]))}\n`;
  } finally {
    markdown = false;
  }
}

/** Pod start and stop through the CRI, per sandbox image, with the image's sizes. */
function criTable(cri: CriResult): string[] {
  const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '-');
  return [
    `CRI: pod start (RunPodSandbox to SANDBOX_READY) and stop (StopPodSandbox) through ${cri.containerd} ` +
      `(runc, ${cri.snapshotter} snapshotter), ${cri.rounds} shuffled rounds after ${cri.warmup} warm-up`,
    table(
      ['sandbox image', 'start median', 'start p99', 'stop median', 'stop p99', '/pause', 'layer (gzip)', 'in containerd'],
      cri.rows.map((r) => [r.id, ms(median(r.startMs)), ms(p99(r.startMs)), ms(median(r.stopMs)), ms(p99(r.stopMs)),
        `${r.binaryBytes} B`, `${r.layerBytes} B`, `${r.storeBytes} B`]),
    ),
  ];
}

/** The model's speed per WASI runtime and design, and each runtime's load time (runs that recorded it). */
function modelTable(rows: NonNullable<Extract<BenchResult['model'], unknown[]>>): string {
  const load = rows.some((m) => m.loadMs !== undefined);
  return table(
    ['WASI', 'design', 'settled events/s (20 processes)', 'settled events/s (2,000 processes)', 'property scenarios/s', ...(load ? ['loadModel()'] : [])],
    rows.map((m) => [
      // Runs saved before node:wasi was measured ran under @wasmer/wasi.
      m.wasi ?? 'wasmer', m.design, perSecond(m.eventsPerSecond), perSecond(m.eventsPerSecondLarge), perSecond(m.scenariosPerSecond),
      ...(load ? [m.loadMs === undefined ? '-' : `${m.loadMs.toFixed(1)} ms`] : []),
    ]),
  );
}
