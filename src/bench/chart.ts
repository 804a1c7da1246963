// The latency chart: one cumulative distribution per program, one panel per
// mode (PID 1, plain process), time on a logarithmic axis. Plain SVG, no
// scripts, so the README can show it as an image.
import type { LatencySummary } from './result.ts';

const WIDTH = 460;
const HEIGHT = 320;
const POINTS = 250;
const MARGIN = { left: 74, right: 14, top: 34, bottom: 44 };
const COLORS = [
  '#000000', '#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b',
  '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939', '#843c39', '#7b4173',
];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The nearest 1, 2 or 5 × 10^k below (or above) v. */
function nice(v: number, way: 'down' | 'up'): number {
  const decade = 10 ** Math.floor(Math.log10(v));
  const steps = [1, 2, 5, 10].map((m) => m * decade);
  return way === 'down' ? steps.filter((s) => s <= v).at(-1)! : steps.find((s) => s >= v)!;
}

function niceTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = decade * m;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function panel(title: string, rows: LatencySummary[], samplesUs: Map<string, number[]>, colors: Map<string, string>,
  lo: number, hi: number, dx: number): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (us: number): number => MARGIN.left + dx + ((Math.log10(us) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * w;
  const y = (fraction: number): number => MARGIN.top + (1 - fraction) * h;
  const out: string[] = [];
  out.push(`<text x="${MARGIN.left + dx + w / 2}" y="20" text-anchor="middle" font-weight="bold">${escape(title)}</text>`);
  out.push(`<rect x="${MARGIN.left + dx}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(lo, hi)) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${MARGIN.top}" x2="${x(t).toFixed(1)}" y2="${MARGIN.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${MARGIN.top + h + 14}" text-anchor="middle" font-size="10">${t}</text>`);
  }
  for (const f of [0, 0.25, 0.5, 0.75, 0.99]) {
    out.push(`<line x1="${MARGIN.left + dx}" y1="${y(f).toFixed(1)}" x2="${MARGIN.left + dx + w}" y2="${y(f).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${MARGIN.left + dx - 4}" y="${(y(f) + 3).toFixed(1)}" text-anchor="end" font-size="10">${f === 0.99 ? '0.99 (p99)' : f === 0.5 ? '0.5 (median)' : f}</text>`);
  }
  out.push(`<text x="${MARGIN.left + dx + w / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="11">µs from kill() to waitpid(), log scale; y: fraction of samples</text>`);
  for (const row of rows) {
    const samples = [...(samplesUs.get(row.id) ?? [])].sort((a, b) => a - b);
    if (samples.length === 0) continue;
    // At most POINTS points per line (evenly spaced ranks, the last one kept): the file stays small.
    const step = Math.max(1, samples.length / POINTS);
    const ranks = [...new Set([...Array(Math.ceil(samples.length / step)).keys()].map((k) => Math.floor(k * step)).concat(samples.length - 1))];
    const points = ranks.map((i) => `${x(Math.min(hi, Math.max(lo, samples[i]!))).toFixed(1)},${y((i + 1) / samples.length).toFixed(1)}`);
    const width = row.id === 'floor' || row.id === 'pause' ? 2.5 : 1.2;
    out.push(`<polyline fill="none" stroke="${colors.get(row.id)}" stroke-width="${width}" points="${points.join(' ')}"/>`);
  }
  return out.join('\n');
}

/** The chart of both modes; samples in ns, keyed by program id. */
export function latencyChart(modes: { title: string; rows: LatencySummary[]; samples: Record<string, number[]> }[], caption: string): string {
  const ids = [...new Set(modes.flatMap((m) => m.rows.map((r) => r.id)))];
  const colors = new Map(ids.map((id, i) => [id, COLORS[i % COLORS.length]!]));
  const all = modes.flatMap((m) => Object.values(m.samples).flat()).map((ns) => ns / 1000).filter((v) => v > 0);
  const sorted = all.sort((a, b) => a - b);
  const lo = nice(sorted[0] ?? 10, 'down');
  const hi = nice(sorted[Math.floor(sorted.length * 0.999)] ?? 1000, 'up');
  const legendTop = HEIGHT + 4;
  const legendRows = Math.ceil(ids.length / 3);
  const totalHeight = legendTop + legendRows * 16 + 22;
  const parts = modes.map((m, i) => panel(m.title, m.rows, new Map(Object.entries(m.samples).map(([id, s]) => [id, s.map((ns) => ns / 1000)])), colors, lo, hi, i * WIDTH));
  const legend = ids.map((id, i) => {
    const lx = 20 + (i % 3) * ((WIDTH * modes.length - 40) / 3);
    const ly = legendTop + Math.floor(i / 3) * 16;
    return `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${colors.get(id)}" stroke-width="${id === 'floor' || id === 'pause' ? 2.5 : 1.5}"/>` +
      `<text x="${lx + 26}" y="${ly + 4}" font-size="11">${escape(id)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH * modes.length}" height="${totalHeight}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    ...legend,
    `<text x="10" y="${totalHeight - 6}" font-size="10" fill="#555">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
