// The page of `pausekit bench --html`: the latency chart, a reaping chart
// (how long each program takes to reap N orphans, against the floor: the
// kernel reaping them itself) and every table, from one run's result.
import { latencyChart } from '../bench/chart.ts';
import { checkArgument, isRecord } from '../errors.ts';
import { formatResult, machineLine } from '../bench/format.ts';
import { document } from './page.ts';
import { escapeHtml, wrap } from './timeline.ts';
import { counted } from '../scenario/report.ts';

/** A bench run's result, as `pausekit bench --json` saves it (the type formatResult reads). */
type BenchResult = Parameters<typeof formatResult>[0];
type ReapingSummary = NonNullable<BenchResult['reaping']>[number]['summary'][number];

const CHAR_PX = 7.3;
const PANEL_WIDTH_PX = 600;
const BAR_PX = 16;
const ROW_PX = 24;

/** Milliseconds, as the tables show them. */
function ms(ns: number): string {
  return `${(ns / 1e6).toFixed(1)} ms`;
}

/** One panel of the reaping chart: a bar per program (median), a whisker to its p99, the floor's median as a line. */
function reapingPanel(size: { n: number; rounds: number; summary: ReapingSummary[] }, top: number): { svg: string; height: number } {
  const rows = size.summary.filter((r) => r.samples > 0);
  const floor = rows.find((r) => r.id.startsWith('floor'));
  const labelWidth = Math.ceil(Math.max(...rows.map((r) => r.id.length)) * CHAR_PX) + 12;
  const valueWidth = Math.ceil('9.99× · 9999.9 ms'.length * CHAR_PX) + 8;
  const plot = PANEL_WIDTH_PX - labelWidth - valueWidth - 8;
  const most = Math.max(...rows.map((r) => r.p99Ns), 1);
  const x = (ns: number): number => labelWidth + (ns / most) * plot;
  const out: string[] = [
    `<text class="t" x="4" y="${top + 14}">Reaping ${size.n.toLocaleString('en-US')} orphans as PID 1 (${counted(size.rounds, 'round')}): release to last reap</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + 26 + i * ROW_PX;
    const isFloor = r === floor;
    out.push(
      `<g><title>${escapeHtml(`${r.id}: median ${ms(r.medianNs)} (${r.medianRatio.toFixed(2)}× the floor), p99 ${ms(r.p99Ns)}`)}</title>`,
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(r.id)}</text>`,
      `<rect class="${isFloor ? 'floorbar' : 'bar'}" x="${labelWidth}" y="${y + 1}" width="${Math.max(1, x(r.medianNs) - labelWidth).toFixed(1)}" height="${BAR_PX}"/>`,
      `<path class="whisker" d="M${x(r.medianNs).toFixed(1)} ${y + 9}H${x(r.p99Ns).toFixed(1)}M${x(r.p99Ns).toFixed(1)} ${y + 4}V${y + 14}"/>`,
      `<text x="${labelWidth + plot + 8}" y="${y + 12}">${isFloor ? 'floor' : `${r.medianRatio.toFixed(2)}×`} · ${ms(r.medianNs)}</text></g>`,
    );
  });
  const bottom = top + 26 + rows.length * ROW_PX;
  if (floor !== undefined) {
    out.push(`<path class="floorline" d="M${x(floor.medianNs).toFixed(1)} ${top + 20}V${bottom}"/>`);
  }
  return { svg: out.join(''), height: bottom - top + 10 };
}

/** The reaping chart: one panel per number of orphans. */
export function reapingChart(reaping: NonNullable<BenchResult['reaping']>): string {
  const panels: string[] = [];
  let y = 0;
  for (const size of reaping) {
    const panel = reapingPanel(size, y);
    panels.push(panel.svg);
    y += panel.height;
  }
  const caption = wrap('bar: median; whisker: to the p99; dashed line: the floor (SIGCHLD ignored, the kernel reaps); ×: median against the floor',
    Math.floor((PANEL_WIDTH_PX - 8) / CHAR_PX));
  const height = y + caption.length * 15 + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${PANEL_WIDTH_PX}" height="${height}" viewBox="0 0 ${PANEL_WIDTH_PX} ${height}" role="img" aria-labelledby="reaping-t">`,
    '<title id="reaping-t">Time to reap N orphans as PID 1, per program, against the floor</title>',
    ...panels,
    ...caption.map((line, i) => `<text class="small" x="4" y="${y + 14 + i * 15}">${escapeHtml(line)}</text>`),
    '</svg>',
  ].join('\n');
}

/** Markdown tables and lines (formatResult's Markdown) as HTML: tables scroll sideways on a narrow screen. */
function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  const cells = (line: string): string[] => line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('|')) {
      if (line.trim() !== '') out.push(`<p>${escapeHtml(line)}</p>`);
      continue;
    }
    const table: string[] = [];
    for (; i < lines.length && lines[i]!.startsWith('|'); i++) table.push(lines[i]!);
    i--;
    const [head, align, ...body] = table;
    const right = cells(align ?? '').map((a) => a.endsWith(':'));
    const row = (l: string, tag: 'th' | 'td') => `<tr>${cells(l).map((c, k) => `<${tag}${right[k] && tag === 'td' ? ' class="num"' : ''}>${escapeHtml(c)}`).join('')}`;
    out.push(`<div class="scroll"><table>${row(head!, 'th')}${body.map((l) => row(l, 'td')).join('')}</table></div>`);
  }
  return out.join('\n');
}

/** The latency chart of a result (as `pausekit bench` writes it to latency.svg), with a title. */
function latencySvg(result: BenchResult): string {
  const latency = result.latency!;
  const m = result.machine;
  const svg = latencyChart([
    { title: 'SIGTERM → exit, as PID 1', rows: latency.summary.pid1, samples: latency.samples.pid1 },
    { title: 'SIGTERM → exit, plain process', rows: latency.summary.plain, samples: latency.samples.plain },
  ], `Linux ${m.kernel}, ${m.cpus} CPUs; ${counted(latency.rounds, 'round')}; seed ${result.seed}`);
  return svg.replace(/^<svg /, '<svg role="img" aria-labelledby="latency-t" ')
    .replace(/^(<svg[^>]*>)/, '$1<title id="latency-t">Signal latency: the fraction of samples under each time, per program, as PID 1 and as a plain process</title>');
}

/** The page: machine, charts, then every table as `pausekit bench --markdown` prints it. */
export function benchPage(result: BenchResult): string {
  checkArgument(isRecord(result) && isRecord(result.machine), 'benchPage(result)', 'a bench result (runBench, or a saved --json run)', result);
  const figures: string[] = [];
  if (result.latency) {
    figures.push(`<figure><figcaption>Signal latency (cumulative distribution, log scale)</figcaption><div class="scroll">${latencySvg(result)}</div></figure>`);
  }
  if (result.reaping && result.reaping.length > 0) {
    figures.push(`<figure><figcaption>Time to reap N orphans, against the floor</figcaption><div class="scroll">${reapingChart(result.reaping)}</div></figure>`);
  }
  const style = '.chart text{font:12px "DejaVu Sans Mono","Liberation Mono",monospace;fill:#111}.chart .t{font-weight:bold}.chart .small{fill:#444}' +
    '.bar{fill:#1f5fa8}.floorbar{fill:#777}.whisker{stroke:#111;stroke-width:1.5;fill:none}.floorline{stroke:#b00;stroke-width:1.5;stroke-dasharray:4 3;fill:none}' +
    'td.num{text-align:right}.figs figure{margin-bottom:12px}';
  return document({
    title: 'pausekit bench',
    heading: `pausekit bench: signal latency and reaping${result.quick ? ' (quick run: figures not meaningful)' : ''}`,
    sub: [machineLine(result), `started ${result.started}`],
    style,
    body: [`<div class="figs">${figures.join('')}</div>`, `<section><h2>Tables</h2>${markdownToHtml(formatResult(result, true))}</section>`],
  });
}
