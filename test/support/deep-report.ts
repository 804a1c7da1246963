// The deep run's report: what a seeded differential run (or one shard of
// it) found, as a JSON file; the merge of every shard's file into the whole
// run's; and the summary printed at the end of a run or a merge. A shard's
// file holds every verdict (a digest of each scenario, its length, how it
// ended, agree or not), so the merge can check that the shards played
// exactly the whole run: each run once, none missing.
import { readFileSync, writeFileSync } from 'node:fs';
import { KERNEL_RULES, type ModelCoverage } from '../../src/engines/model/wasm.ts';
import type { Design } from '../../src/scenario/types.ts';
import { sumCoverage, type CampaignReport, type Ending, type Shard, type Verdict } from './campaign.ts';

/** The file format's version: a file of another is refused. */
const FORMAT = 'pausekit-deep-report/1';

/**
 * A verdict as the file holds it: [index, digest, steps, ending, endedAt
 * (-1: at the start, null: never), 1 agree / 0 not].
 */
type Row = [number, string, number, string, number | null, 0 | 1];

/** A failure's details, kept apart from the rows. */
interface FileFailure {
  design: Design;
  index: number;
  why: string;
}

interface ReportFile {
  format: string;
  seed: number;
  runs: number;
  shard: Shard;
  designs: Design[];
  elapsedMs: number;
  rows: Record<string, Row[]>;
  failures: FileFailure[];
  coverage: Record<string, ModelCoverage>;
}

/** A report as JSON, one row per verdict. */
export function reportToJson(report: CampaignReport): string {
  const rows: Record<string, Row[]> = {};
  const failures: FileFailure[] = [];
  for (const design of report.designs) {
    rows[design] = (report.verdicts[design] ?? []).map((v) => [v.index, v.digest, v.steps, v.ending, v.endedAt, v.agree ? 1 : 0]);
    for (const v of report.verdicts[design] ?? []) if (!v.agree) failures.push({ design, index: v.index, why: v.why ?? '' });
  }
  const file: ReportFile = {
    format: FORMAT, seed: report.seed, runs: report.runs, shard: report.shard, designs: report.designs,
    elapsedMs: Math.round(report.elapsedMs), rows, failures, coverage: report.coverage,
  };
  return `${JSON.stringify(file)}\n`;
}

/** Writes a report file. */
export function writeReport(file: string, report: CampaignReport): void {
  writeFileSync(file, reportToJson(report));
}

/** Why a report file cannot be read, in one line naming the file. */
export class ReportError extends Error {}

/** A report file, checked: its format, and every row's shape. */
export function readReport(file: string): CampaignReport {
  let parsed: ReportFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as ReportFile;
  } catch (error) {
    throw new ReportError(`${file}: not a deep-run report (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.format !== FORMAT) {
    throw new ReportError(`${file}: not a deep-run report (its "format" is not ${JSON.stringify(FORMAT)})`);
  }
  const verdicts: Record<string, Verdict[]> = {};
  const coverage: Record<string, ModelCoverage> = {};
  const why = new Map((parsed.failures ?? []).map((f) => [`${f.design}:${f.index}`, f.why]));
  for (const design of parsed.designs) {
    const rows = parsed.rows?.[design];
    if (!Array.isArray(rows)) throw new ReportError(`${file}: no rows for the ${design} design`);
    const counted = parsed.coverage?.[design];
    if (counted === undefined || KERNEL_RULES.some((rule) => !Number.isInteger(counted.rules?.[rule])) || !Array.isArray(counted.moves) || !Array.isArray(counted.takes)) {
      throw new ReportError(`${file}: no coverage counts (rules K1..K16, moves, takes) for the ${design} design`);
    }
    coverage[design] = counted;
    verdicts[design] = rows.map((row, i) => {
      const [index, digest, steps, ending, endedAt, agree] = row;
      if (!Array.isArray(row) || row.length !== 6 || !Number.isInteger(index) || typeof digest !== 'string' || !Number.isInteger(steps) ||
          typeof ending !== 'string' || !(endedAt === null || (Number.isInteger(endedAt) && endedAt >= -1)) || (agree !== 0 && agree !== 1)) {
        throw new ReportError(`${file}: rows.${design}[${i}] is not [index, digest, steps, ending, endedAt, agree]`);
      }
      const verdict: Verdict = { index, digest, steps, ending: ending as Ending, endedAt, agree: agree === 1 };
      if (agree === 0) verdict.why = why.get(`${design}:${index}`) ?? '';
      return verdict;
    });
  }
  return { seed: parsed.seed, runs: parsed.runs, shard: parsed.shard, designs: parsed.designs, verdicts, coverage, elapsedMs: parsed.elapsedMs };
}

/**
 * The whole run from its shards' reports: the same seed, runs and designs,
 * shards 1..N of one N, each once, and together every run of every design
 * exactly once. Its time is the longest shard's.
 */
export function mergeReports(reports: CampaignReport[]): CampaignReport {
  const first = reports[0];
  if (first === undefined) throw new ReportError('merge: no reports');
  const same = (r: CampaignReport) => r.seed === first.seed && r.runs === first.runs && r.shard.count === first.shard.count &&
    r.designs.join() === first.designs.join();
  const odd = reports.find((r) => !same(r));
  if (odd !== undefined) {
    throw new ReportError(`merge: shard ${odd.shard.index}/${odd.shard.count} is of another run (seed ${odd.seed}, ${odd.runs} runs, ` +
      `${odd.designs.join(',')}) than shard ${first.shard.index}/${first.shard.count} (seed ${first.seed}, ${first.runs} runs, ${first.designs.join(',')})`);
  }
  const shards = reports.map((r) => r.shard.index).sort((a, b) => a - b);
  const expected = Array.from({ length: first.shard.count }, (_, i) => i + 1);
  if (shards.join() !== expected.join()) {
    throw new ReportError(`merge: expected shards ${expected.join(', ')} of ${first.shard.count}, got ${shards.join(', ')}`);
  }
  const verdicts: Record<string, Verdict[]> = {};
  const coverage: Record<string, ModelCoverage> = {};
  for (const design of first.designs) {
    coverage[design] = reports.slice(1).reduce((sum, r) => sumCoverage(sum, r.coverage[design]!), first.coverage[design]!);
    const all = reports.flatMap((r) => r.verdicts[design] ?? []).sort((a, b) => a.index - b.index);
    const wrong = all.findIndex((v, i) => v.index !== i);
    if (wrong >= 0 || all.length !== first.runs) {
      throw new ReportError(`merge: the ${design} design's runs are not 0..${first.runs - 1} once each (run ${wrong >= 0 ? wrong : all.length} is missing or twice)`);
    }
    verdicts[design] = all;
  }
  return { ...first, shard: { index: 1, count: 1 }, verdicts, coverage, elapsedMs: Math.max(...reports.map((r) => r.elapsedMs)) };
}

/** A count and its share of a total, as "1,234 (12.3%)". */
function share(count: number, total: number): string {
  return `${count.toLocaleString('en-US')} (${total === 0 ? '0.0' : ((100 * count) / total).toFixed(1)}%)`;
}

/** Lengths by bucket, as "0-4: n (p%) · 5-8: ...". */
export function lengths(verdicts: Verdict[]): string {
  const buckets: [number, number][] = [[0, 4], [5, 8], [9, 16], [17, 24], [25, 32], [33, Infinity]];
  return buckets
    .map(([low, high]) => [low, high, verdicts.filter((v) => v.steps >= low && v.steps <= high).length] as const)
    .filter(([low, , count]) => low <= 32 || count > 0)
    .map(([low, high, count]) => `${high === Infinity ? `${low}+` : `${low}-${high}`}: ${share(count, verdicts.length)}`)
    .join(' · ');
}

/** How scenarios ended: pause still there, exited, killed (by what), and how many ended in their first half. */
export function endings(verdicts: Verdict[]): string {
  const counts = new Map<string, number>();
  for (const v of verdicts) {
    const kind = v.ending.startsWith('exited') ? 'exited' : v.ending;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const early = verdicts.filter((v) => v.endedAt !== null && v.endedAt < v.steps / 2).length;
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([kind, count]) => `${kind} ${share(count, verdicts.length)}`);
  return `${parts.join(' · ')}; ended in its first half: ${share(early, verdicts.length)}`;
}

/** The summary of a report, as printed at the end of a run, a shard or a merge. */
export function summary(report: CampaignReport): string[] {
  const lines: string[] = [];
  const seconds = report.elapsedMs / 1000;
  let played = 0;
  for (const design of report.designs) {
    const verdicts = report.verdicts[design] ?? [];
    played += verdicts.length;
    const disagree = verdicts.filter((v) => !v.agree);
    const steps = verdicts.reduce((sum, v) => sum + v.steps, 0);
    lines.push(`${design}: ${verdicts.length.toLocaleString('en-US')} scenarios, ${disagree.length === 0 ? 'all agree' : `${disagree.length} disagree (runs ${disagree.slice(0, 10).map((v) => v.index).join(', ')}${disagree.length > 10 ? ', ...' : ''})`}; ` +
      `${(steps / Math.max(1, verdicts.length)).toFixed(1)} steps on average`);
    lines.push(`  lengths: ${lengths(verdicts)}`);
    lines.push(`  endings: ${endings(verdicts)}`);
  }
  lines.push(`${played.toLocaleString('en-US')} scenarios in ${seconds.toFixed(1)} s: ${(played / Math.max(seconds, 1e-3)).toFixed(1)} scenarios/s`);
  return lines;
}

/** A rule reached fewer times than this per 10,000 scenarios is flagged. */
export const RARE_PER_10K = 100;

/** The rules each scenario of the run reached, as a table: per design, per 10,000 scenarios, and the flag. */
export function coverageTable(report: CampaignReport): string[] {
  const scenarios = report.designs.reduce((sum, d) => sum + (report.verdicts[d]?.length ?? 0), 0);
  const header = ['rule', ...report.designs, 'per 10,000', ''];
  const rows = KERNEL_RULES.map((rule) => {
    const counts = report.designs.map((d) => report.coverage[d]?.rules[rule] ?? 0);
    const rate = (10_000 * counts.reduce((a, b) => a + b, 0)) / Math.max(1, scenarios);
    const flag = rate < RARE_PER_10K ? `RARE: fewer than ${RARE_PER_10K} per 10,000 scenarios` : '';
    return [rule, ...counts.map((c) => c.toLocaleString('en-US')), rate.toFixed(1), flag];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const total = report.designs.map((d) => report.coverage[d]).filter((c): c is ModelCoverage => c !== undefined)
    .reduce((sum, c) => sumCoverage(sum, c), { rules: Object.fromEntries(KERNEL_RULES.map((r) => [r, 0])), moves: [], takes: [] } as unknown as ModelCoverage);
  const moves = total.moves.sort((a, b) => b.count - a.count).map((m) => `${m.from}->${m.to} ${m.count.toLocaleString('en-US')}`);
  const takes = total.takes.sort((a, b) => b.count - a.count).map((t) => `${t.state}/${t.event} ${t.count.toLocaleString('en-US')}`);
  return [
    `kernel rules the model applied (docs/model.md), ${scenarios.toLocaleString('en-US')} scenarios:`,
    line(header), line(header.map((_, i) => '-'.repeat(widths[i]!))), ...rows.map(line),
    `pause's state changes: ${moves.join(' · ')}`,
    `events taken (state/event): ${takes.join(' · ')}`,
  ];
}
