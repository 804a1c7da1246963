// One self-contained HTML page: inline CSS and SVG, a few lines of inline
// script (hovering or focusing a row shows its step's table), nothing
// fetched, so it opens from disk. Every step's table is in the page as text
// too, with its signals and notes in words, for readers without the picture.
import type { Arrow, Frame, Story } from './frames.ts';
import { escapeHtml, timeline } from './timeline.ts';
import type { Observation, PauseObservation } from '../scenario/types.ts';

const STYLE = `
:root{color-scheme:light}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;background:#fff}
header,main{padding:0 14px;max-width:1500px;margin:0 auto}
h1{font-size:1.3rem;margin:.8rem 0 .3rem}
h2{font-size:1.1rem;margin:1rem 0 .4rem}
h1,h2,h3,p,li,td,th,pre{overflow-wrap:anywhere}
.sub{color:#333;margin:.2rem 0}
.verdict{border-left:6px solid #b00;background:#fff3cd;padding:6px 10px;margin:.6rem 0}
.verdict.ok{border-color:#1a7f37;background:#e9f7ee}
.view{display:grid;grid-template-columns:minmax(0,1fr);gap:14px}
.figs{display:flex;flex-wrap:wrap;gap:14px;min-width:0;align-items:flex-start}
figure{margin:0;min-width:0;max-width:100%}
figcaption{font-weight:600;margin:0 0 4px}
.scroll{overflow-x:auto;max-width:100%}
#now{overflow:auto;border:2px solid #333;background:#fffdf2;padding:6px 10px;box-sizing:border-box;font-size:14px}
@media (min-width:1000px){.view{grid-template-columns:minmax(0,1fr) 360px}#now{position:sticky;top:8px;align-self:start;max-height:calc(100vh - 16px)}}
@media (max-width:999px){#now{position:sticky;bottom:0;max-height:36vh}}
.view.pair{grid-template-columns:minmax(0,1fr)}
.view.pair figure{flex:1 1 0;min-width:min(100%,320px)}
.view.pair #now{position:sticky;bottom:0;top:auto;max-height:32vh}
.tl text{font:12px "DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.tl .lane{text-anchor:middle;font-weight:bold}
.tl .band{fill:#eef1f5;opacity:.92}
.tl .hit{fill:transparent;width:100%}
.tl .r:hover .hit,.tl .r:focus .hit,.tl .r.on .hit{fill:rgba(255,205,0,.2);stroke:#000;stroke-dasharray:3 2}
.tl .r:focus{outline:none}
.tl .flagband{fill:#ffe9a8;stroke:#b00;stroke-width:2}
.tl .mark{font-weight:bold;fill:#b00;font-size:14px}
.tl .err{fill:#7a2e00;font-style:italic}
.tl .running{stroke:#1f5fa8;stroke-width:6;fill:none}
.tl .stopped{stroke:#c77700;stroke-width:6;stroke-dasharray:5 3;fill:none}
.tl .zombie{stroke:#a3142f;stroke-width:2;stroke-dasharray:1 3;stroke-linecap:round;fill:none}
.tl .outside{stroke:#999;stroke-width:1;fill:none}
.a{stroke:#222;stroke-width:1.5;fill:none;marker-end:url(#pk-head)}
.a.sigchld{stroke:#6a3d9a}
.a.forward{stroke:#0a7a3d}
.a.fork{stroke:#777;stroke-width:1}
.a.coalesced{stroke-dasharray:5 3}
.a.blocked{marker-end:url(#pk-bar)}
.a.ignored,.a.no-visible-effect{marker-end:url(#pk-dot)}
.legend ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:4px 18px}
.legend li{display:flex;align-items:center;gap:6px}
.legend svg{flex:none}
table{border-collapse:collapse;font:13px/1.3 "DejaVu Sans Mono","Liberation Mono",monospace}
th,td{border:1px solid #bbb;padding:1px 6px;text-align:left;vertical-align:top}
td.d{background:#ffe9a8;font-weight:bold}
.tables{display:flex;flex-wrap:wrap;gap:4px 20px}
.step{border-top:1px solid #ddd;padding:2px 0 8px;scroll-margin-top:8px}
.step h3{font-size:.98rem;margin:.35rem 0}
.step.flag{background:#fff3cd;border-left:6px solid #b00;padding-left:8px}
.step p{margin:.25rem 0;font-size:14px}
pre{white-space:pre-wrap;font-size:13px}
`;

// Hovering or focusing a row of a timeline (a link to its step) or a step's
// own section shows that step in the panel, and marks its rows.
const SCRIPT = `(()=>{const now=document.getElementById('now');if(!now)return;let shown='';
const show=(id)=>{const s=document.getElementById(id);if(!s||shown===id)return;shown=id;now.innerHTML=s.innerHTML;
for(const e of document.querySelectorAll('.on'))e.classList.remove('on');
for(const e of document.querySelectorAll('a.r[href="#'+id+'"]'))e.classList.add('on');};
const pick=(e)=>{const t=e.target;const r=t&&t.closest?t.closest('a.r,section.step'):null;
if(r)show(r.tagName==='section'||r.tagName==='SECTION'?r.id:r.getAttribute('href').slice(1));};
document.addEventListener('focusin',pick);document.addEventListener('mouseover',pick);})();`;

/** The arrowheads every timeline of a page uses. */
const MARKERS = '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>' +
  '<marker id="pk-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker>' +
  '<marker id="pk-bar" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="10" orient="auto-start-reverse"><path d="M8 0V10" stroke="#000" stroke-width="3"/></marker>' +
  '<marker id="pk-dot" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><circle cx="5" cy="5" r="3.5" fill="#fff" stroke="#000" stroke-width="1.5"/></marker>' +
  '</defs></svg>';

/** A whole page: title, heading, what goes under it, the body, in one string. */
export function document(parts: { title: string; heading: string; sub: string[]; body: string[]; style?: string }): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<link rel="icon" href="data:,"><title>${escapeHtml(parts.title)}</title><style>${STYLE}${parts.style ?? ''}</style></head>`,
    '<body>',
    MARKERS,
    `<header><h1>${escapeHtml(parts.heading)}</h1>${parts.sub.map((s) => `<p class="sub">${escapeHtml(s)}</p>`).join('')}</header>`,
    '<main>',
    ...parts.body,
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A verdict box: what broke or differs (or that nothing did), in words. */
export function verdict(lines: string[], ok = false): string {
  return `<section class="verdict${ok ? ' ok' : ''}" role="status">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</section>`;
}

/** The figures and the panel a hovered or focused row fills. */
export function view(figures: { caption: string; svg: string }[]): string {
  const figs = figures.map((f) => `<figure><figcaption>${escapeHtml(f.caption)}</figcaption><div class="scroll">${f.svg}</div></figure>`);
  // Two timelines side by side need the width: the panel goes under them.
  return `<div class="view${figures.length > 1 ? ' pair' : ''}"><div class="figs">${figs.join('')}</div>` +
    '<aside id="now" aria-live="polite" aria-label="the step in focus"><p>Hover over a row, or focus one with Tab, to see its step\'s table here.</p></aside></div>';
}

/** A story's timeline in a figure, its rows linking to the sections `prefix`s0, `prefix`s1, ... */
export function storyFigure(story: Story, options: { id: string; caption: string; prefix: string; minHeights?: readonly number[]; narrow?: boolean }): { caption: string; svg: string } {
  const svg = timeline(story, { id: options.id, title: options.caption, sectionId: (i) => `${options.prefix}s${i}`, minHeights: options.minHeights, narrow: options.narrow });
  return { caption: options.caption, svg };
}

/** A small picture for the legend, drawn with the timelines' own styles. */
function legendIcon(inner: string): string {
  return `<svg width="34" height="14" aria-hidden="true" class="tl">${inner}</svg>`;
}

/** What each shape, line and mark means, and where the marks came from. */
export function legend(sources: Story['source'][]): string {
  const lane = (cls: string) => legendIcon(`<path class="${cls}" d="M4 7H30"/>`);
  const arrow = (cls: string) => legendIcon(`<path class="a ${cls}" d="M2 7H30"/>`);
  const items: [string, string][] = [
    [lane('running'), 'running'], [lane('stopped'), 'stopped'], [lane('zombie'), 'zombie'], [legendIcon(''), 'no line: not started, or gone'],
    [arrow('signal'), 'a signal the scenario sends'], [arrow('forward'), 'forwarded by pause'], [arrow('sigchld'), 'SIGCHLD from the kernel'],
    [arrow('fork'), 'fork, or start from outside'], [arrow('signal coalesced'), 'coalesced'], [arrow('signal blocked'), 'blocked'],
    [arrow('signal ignored'), sources.includes('observations') ? 'ignored, or no visible effect' : 'ignored'],
  ];
  const why: string[] = ['Marks, and where they come from: caught, from the observations (the handler ran); blocked and ignored, from the scenario\'s disposition steps and, for an init program, what pause was started with (inherit).'];
  if (sources.includes('model')) {
    why.push('On the model, asked before and after each of its atomic actions: coalesced (the same signal was already pending at the target), queued (a real-time signal already pending there: this one waits behind it, each is delivered), pending (still pending when the step settled), ignored (discarded: not pending, no effect), what pause forwarded, and how each process ended and who reaped it.');
  }
  if (sources.includes('observations')) {
    why.push('From observations alone (as the kernel gives them) only the settled state after each step is seen: which signals were pending or coalesced cannot be known, nor what pause forwarded; "no visible effect" means nothing the observation shows changed.');
  }
  return `<section class="legend"><h2>Legend</h2><ul>${items.map(([icon, text]) => `<li>${icon}<span>${escapeHtml(text)}</span></li>`).join('')}</ul>` +
    `${why.map((w) => `<p>${escapeHtml(w)}</p>`).join('')}</section>`;
}

/** pause's state as the CLI's tables say it. */
function pauseText(pause: PauseObservation): string {
  return pause.state === 'exited' ? `exited ${pause.code}` : pause.state === 'killed' ? `killed by ${pause.signal}` : pause.state;
}

/** The rows of an observation's table, by name: pause and every process not gone before it (as the CLI's tables). */
function tableRows(o: Observation, before: Observation | undefined): Map<string, string[]> {
  const rows = new Map<string, string[]>([['pause', [pauseText(o.pause), o.pause.state === 'running' || o.pause.state === 'stopped' ? 'outside' : '-', '']]]);
  for (const [name, p] of Object.entries(o.processes)) {
    if (before?.processes[name]?.state === 'gone') continue;
    rows.set(name, [p.state, p.parent ?? '-', p.caught === undefined ? '' : p.caught.join(' ') || '-']);
  }
  return rows;
}

/**
 * An observation as a table; given a second one (another engine's), one
 * table of both, where a cell that differs says what each saw.
 */
export function observationTable(sides: { label: string; o: Observation; before: Observation | undefined }[], caption?: string): string {
  const tables = sides.map((side) => tableRows(side.o, side.before));
  const names = [...new Set(tables.flatMap((t) => [...t.keys()]))];
  const catching = sides.some((side) => Object.values(side.o.processes).some((p) => p.caught !== undefined));
  const columns = catching ? 3 : 2;
  const cell = (name: string, column: number): string => {
    const values = tables.map((t) => t.get(name)?.[column] ?? '(not there)');
    if (values.every((v) => v === values[0])) return `<td>${escapeHtml(values[0]!)}`;
    return `<td class="d">${values.map((v, i) => `${escapeHtml(sides[i]!.label)}: ${escapeHtml(v)}`).join('<br>')}`;
  };
  const head = `<tr><th>process<th>state<th>parent${catching ? '<th>caught' : ''}`;
  const rows = names.map((name) => `<tr><td>${escapeHtml(name)}${[...Array(columns).keys()].map((c) => cell(name, c)).join('')}`);
  const tableCaption = caption === undefined ? '' : `<caption>${escapeHtml(caption)}</caption>`;
  // The names gone earlier are in the tables of the steps they went in: here only how many.
  const gone = Object.keys(sides[0]!.o.processes).filter((name) => sides[0]!.before?.processes[name]?.state === 'gone').length;
  const earlier = gone > 0 ? `<p>(and ${gone} process${gone === 1 ? '' : 'es'} gone earlier)</p>` : '';
  const same = sides.every((side) => JSON.stringify(side.o.stderr) === JSON.stringify(sides[0]!.o.stderr));
  const stderr = (same ? sides.slice(0, 1) : sides).flatMap((side) =>
    side.o.stderr.map((line) => `<p>${same ? '' : `${escapeHtml(side.label)} `}stderr: <code>${escapeHtml(line)}</code></p>`));
  return `<table>${tableCaption}${head}${rows.join('')}</table>${earlier}${stderr.join('')}`;
}

/** A frame's arrows and notes in words. */
export function frameWords(frame: Frame): string {
  const arrow = (a: Arrow) => `${a.label}: ${a.from} → ${a.to}${a.marks.length > 0 ? ` (${a.marks.join(', ')})` : ''}`;
  const parts: string[] = [];
  if (frame.arrows.length > 0) parts.push(`<p>signals and forks: ${escapeHtml(frame.arrows.map(arrow).join('; '))}</p>`);
  if (frame.notes.length > 0) parts.push(`<p>on the lanes: ${escapeHtml(frame.notes.map((n) => `${n.lane} ${n.text}`).join('; '))}</p>`);
  return parts.join('');
}

/** One section per frame of a story: title, flag, table, words; `prefix` as the figure's. */
export function stepSections(story: Story, prefix: string): string {
  return story.frames.map((frame, i) => {
    const flag = frame.flag === undefined ? '' : `<p><strong>${escapeHtml(frame.flag)}</strong></p>`;
    return `<section class="step${frame.flag === undefined ? '' : ' flag'}" id="${prefix}s${i}" tabindex="0">` +
      `<h3>${escapeHtml(frame.title)}</h3>${flag}${observationTable([{ label: '', o: frame.observation, before: story.frames[i - 1]?.observation }])}${frameWords(frame)}</section>`;
  }).join('\n');
}
