// A story drawn as inline SVG: time runs down the page, one lane per process
// across it (outside, pause, then each process as it appears). A lane's
// state is told by its shape as well as its colour: running a thick solid
// bar, stopped a thick dashed one, a zombie a thin dotted line, gone
// nothing. Each frame is a row: its title, its arrows (sender to target,
// labelled with the signal and its marks), the notes on the lanes (exit
// codes, who reaped whom, new parents) and pause's stderr lines. Every text
// is monospaced, so its width is known here and nothing overflows the
// picture. Each row links to its step's table, and is focusable.
import type { Arrow, Frame, Lane, Note, Story } from './frames.ts';
import { counted } from '../scenario/report.ts';

const CHAR_PX = 7.3;
const LINE_PX = 15;
const ITEM_PX = 18;
const GUTTER_PX = 18;
const MIN_WIDTH_PX = 356;
const LANE_MIN_PX = 62;
const LANE_MAX_PX = 110;
/** Room right of the last lane, for the notes written beside it. */
const NOTE_ROOM_PX = 100;
/** Titles and stderr lines wrap to this width, so they read whole on a phone (390 px) without scrolling sideways. */
const TEXT_BOX_PX = 356;
/** The lane names are drawn again every this many rows. */
const HEADER_EVERY = 25;

/** HTML and SVG text: the five characters markup gives a meaning to. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Width of a monospaced text, in pixels. */
function widthOf(text: string): number {
  return [...text].length * CHAR_PX;
}

/** Words wrapped to lines of at most `columns` characters (a longer word is cut). */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = [...word];
    while (rest.length > columns) {
      if (line !== '') lines.push(line);
      lines.push(rest.slice(0, columns).join(''));
      rest = rest.slice(columns);
      line = '';
    }
    const piece = rest.join('');
    if (line === '') line = piece;
    else if ([...line].length + 1 + rest.length <= columns) line += ` ${piece}`;
    else {
      lines.push(line);
      line = piece;
    }
  }
  if (line !== '') lines.push(line);
  return lines.length > 0 ? lines : [''];
}

type Drawn = 'running' | 'stopped' | 'zombie' | 'outside' | 'none';

/** How a lane is drawn after a frame. */
function drawnState(frame: Frame | undefined, lane: Lane): Drawn {
  if (lane === 'outside') return 'outside';
  if (frame === undefined) return 'none';
  if (lane === 'pause') return frame.observation.pause.state === 'running' ? 'running' : frame.observation.pause.state === 'stopped' ? 'stopped' : 'none';
  const state = frame.observation.processes[lane]?.state;
  return state === 'running' || state === 'stopped' || state === 'zombie' ? state : 'none';
}

/** An arrow or a note, placed: its text, where, and the horizontal room it takes. */
interface Item {
  arrow?: Arrow;
  note?: Note;
  text: string;
  textX: number;
  from: number;
  to: number;
  line: number;
}

interface Block {
  kind: 'header' | 'row';
  frame: number;
  y: number;
  height: number;
  caption: string[];
  items: Item[];
  stderr: string[];
}

/** The geometry every block shares: lane positions and the picture's width. */
class Geometry {
  readonly lanes: Lane[];
  readonly laneWidth: number;
  readonly width: number;
  readonly headerLevels: number;

  /** `narrow`: no room right of the last lane (two timelines side by side need the width). */
  constructor(lanes: Lane[], narrow = false) {
    this.lanes = lanes;
    const longest = Math.max(...lanes.map((l) => widthOf(l)));
    this.laneWidth = Math.round(Math.min(LANE_MAX_PX, Math.max(LANE_MIN_PX, longest + 12)));
    this.headerLevels = Math.min(3, Math.ceil((longest + 8) / this.laneWidth));
    this.width = Math.max(MIN_WIDTH_PX, GUTTER_PX + lanes.length * this.laneWidth + (narrow ? 8 : NOTE_ROOM_PX));
  }

  /** The middle of a lane, in pixels from the left. */
  x(lane: Lane): number {
    return GUTTER_PX + Math.max(0, this.lanes.indexOf(lane)) * this.laneWidth + Math.round(this.laneWidth / 2);
  }

  /** How many characters a title or stderr line may have on one line. */
  get columns(): number {
    return Math.floor((Math.min(this.width, TEXT_BOX_PX) - GUTTER_PX - 6) / CHAR_PX);
  }

  /** The left edge for a text of this width that should start at x, moved left so it ends inside the picture. */
  fit(x: number, width: number): number {
    return Math.max(GUTTER_PX, Math.min(x, this.width - 4 - width));
  }
}

/** Places a frame's arrows and notes on as few lines as let no two overlap. */
function placeItems(frame: Frame, g: Geometry): Item[] {
  const items: Item[] = [];
  for (const arrow of frame.arrows) {
    const text = [arrow.label, ...arrow.marks].join(' · ');
    const x1 = g.x(arrow.from);
    const x2 = g.x(arrow.to);
    const self = x1 === x2;
    const textX = g.fit(self ? x1 + 22 : Math.min(x1, x2) + 6, widthOf(text));
    items.push({ arrow, text, textX, from: Math.min(x1, x2, textX) - 4, to: Math.max(x1 + (self ? 20 : 0), x2, textX + widthOf(text)) + 4, line: 0 });
  }
  for (const note of frame.notes) {
    const x = g.x(note.lane);
    // Beside its lane, on the right; where there is no room, anywhere on the line, then saying whose it is.
    const text = x + 8 + widthOf(note.text) <= g.width - 4 ? note.text : `${note.lane}: ${note.text}`;
    const w = widthOf(text);
    const textX = text === note.text ? x + 8 : g.fit(x - 8 - w, w);
    items.push({ note, text, textX, from: textX - 3, to: textX + w + 3, line: 0 });
  }
  const lines: Item[][] = [];
  for (const item of items) {
    let line = lines.findIndex((placed) => placed.every((p) => item.to <= p.from || item.from >= p.to));
    if (line < 0) line = lines.push([]) - 1;
    lines[line]!.push(item);
    item.line = line;
  }
  return items;
}

/** The blocks of a story, top to bottom: lane headers now and then, and a row per frame. */
function layout(story: Story, g: Geometry, minHeights: readonly number[]): Block[] {
  const blocks: Block[] = [];
  let y = 0;
  const add = (block: Omit<Block, 'y' | 'height'>, height: number): void => {
    const h = Math.max(height, minHeights[blocks.length] ?? 0);
    blocks.push({ ...block, y, height: h });
    y += h;
  };
  story.frames.forEach((frame, index) => {
    if (index % HEADER_EVERY === 0) add({ kind: 'header', frame: index, caption: [], items: [], stderr: [] }, g.headerLevels * LINE_PX + 8);
    const caption = [...(frame.flag === undefined ? [] : wrap(frame.flag, g.columns)), ...wrap(frame.title, g.columns)];
    const items = placeItems(frame, g);
    const lines = items.reduce((n, item) => Math.max(n, item.line + 1), 0);
    const stderr = frame.observation.stderr.flatMap((line) => wrap(`stderr: ${line}`, g.columns));
    add({ kind: 'row', frame: index, caption, items, stderr }, 4 + caption.length * LINE_PX + lines * ITEM_PX + stderr.length * LINE_PX + 6);
  });
  return blocks;
}

/** The height of each block, so that two stories drawn side by side (narrow) can share them. */
export function blockHeights(story: Story, narrow = false): number[] {
  return layout(story, new Geometry(story.lanes, narrow), []).map((b) => b.height);
}

/** Where the lanes' states change: one path per drawn state, each a run of vertical strokes. */
function lanePaths(story: Story, g: Geometry, blocks: Block[]): string {
  const strokes: Record<Drawn, string[]> = { running: [], stopped: [], zombie: [], outside: [], none: [] };
  for (const lane of g.lanes) {
    const x = g.x(lane);
    let state: Drawn = drawnState(undefined, lane);
    let from = 0;
    const to = (y: number, next: Drawn): void => {
      if (next === state) return;
      if (state !== 'none' && y > from) strokes[state].push(`M${x} ${from}V${y}`);
      state = next;
      from = y;
    };
    for (const block of blocks) {
      if (block.kind !== 'row') continue;
      to(block.y + 4 + block.caption.length * LINE_PX, drawnState(story.frames[block.frame], lane));
    }
    to(blocks.length === 0 ? 0 : blocks[blocks.length - 1]!.y + blocks[blocks.length - 1]!.height, 'none');
  }
  return (['outside', 'running', 'stopped', 'zombie'] as const)
    .filter((s) => strokes[s].length > 0)
    .map((s) => `<path class="${s}" d="${strokes[s].join('')}"/>`)
    .join('');
}

/** The lane names: every lane at the top, further down only the lanes then in use (and outside and pause). */
function header(block: Block, story: Story, g: Geometry): string {
  const out: string[] = [`<rect class="band" y="${block.y}" width="${g.width}" height="${block.height}"/>`];
  const previous = story.frames[block.frame - 1];
  g.lanes.forEach((lane, i) => {
    if (previous !== undefined && lane !== 'outside' && lane !== 'pause' && drawnState(previous, lane) === 'none') return;
    const room = g.headerLevels * g.laneWidth - 8;
    const shown = widthOf(lane) > room ? `${[...lane].slice(0, Math.floor(room / CHAR_PX) - 1).join('')}…` : lane;
    const y = block.y + 13 + (i % g.headerLevels) * LINE_PX;
    const x = Math.min(Math.max(g.x(lane), GUTTER_PX + widthOf(shown) / 2), g.width - 4 - widthOf(shown) / 2);
    const title = shown === lane ? '' : `<title>${escapeHtml(lane)}</title>`;
    out.push(`<text class="lane" x="${Math.round(x)}" y="${y}">${title}${escapeHtml(shown)}</text>`);
  });
  return out.join('');
}

/** One arrow, its marks as classes (dashed, a bar or a circle at its end), and its label over it. */
function arrowSvg(item: Item, y: number, g: Geometry): string {
  const a = item.arrow!;
  const x1 = g.x(a.from);
  const x2 = g.x(a.to);
  const classes = ['a', a.kind, ...a.marks.map((m) => m.replace(/ /g, '-'))].join(' ');
  const line = x1 === x2
    ? `<path class="${classes}" d="M${x1} ${y + 9}h18v7h-14"/>`
    : `<path class="${classes}" d="M${x1 + (x2 > x1 ? 4 : -4)} ${y + 15}H${x2 + (x2 > x1 ? -4 : 4)}"/>`;
  return `<g data-from="${escapeHtml(a.from)}" data-to="${escapeHtml(a.to)}">${line}<text x="${Math.round(item.textX)}" y="${y + 11}">${escapeHtml(item.text)}</text></g>`;
}

/** One frame's row: a link to its step's table, holding its title, arrows, notes and stderr lines. */
function row(block: Block, story: Story, g: Geometry, sectionId: string): string {
  const frame = story.frames[block.frame]!;
  const out: string[] = [
    `<a class="r${frame.flag === undefined ? '' : ' flag'}" href="#${sectionId}">`,
    `<rect class="hit" y="${block.y}" height="${block.height}"/>`,
  ];
  if (frame.flag !== undefined) out.push(`<text class="mark" x="3" y="${block.y + 15}">!</text>`);
  let y = block.y + 4;
  for (const line of block.caption) {
    out.push(`<text x="${GUTTER_PX}" y="${y + 11}">${escapeHtml(line)}</text>`);
    y += LINE_PX;
  }
  for (const item of block.items) {
    const top = y + item.line * ITEM_PX;
    out.push(item.arrow !== undefined ? arrowSvg(item, top, g) : `<text x="${Math.round(item.textX)}" y="${top + 13}">${escapeHtml(item.text)}</text>`);
  }
  y += block.items.reduce((n, item) => Math.max(n, item.line + 1), 0) * ITEM_PX;
  for (const line of block.stderr) {
    out.push(`<text class="err" x="${GUTTER_PX}" y="${y + 11}">${escapeHtml(line)}</text>`);
    y += LINE_PX;
  }
  out.push('</a>');
  return out.join('');
}

/**
 * The story as one <svg>. `id` makes its ids unique in the page; each row
 * links to `sectionId(frame index)`; `minHeights` (from blockHeights of
 * another story) and `narrow` line two timelines up side by side.
 */
export function timeline(story: Story, options: { id: string; title: string; sectionId: (frame: number) => string; minHeights?: readonly number[]; narrow?: boolean }): string {
  const g = new Geometry(story.lanes, options.narrow);
  const blocks = layout(story, g, options.minHeights ?? []);
  const height = blocks.reduce((h, b) => h + b.height, 0);
  const flagged = blocks.filter((b) => b.kind === 'row' && story.frames[b.frame]!.flag !== undefined)
    .map((b) => `<rect class="flagband" x="1" y="${b.y + 1}" width="${g.width - 2}" height="${b.height - 2}"/>`);
  const desc = `Lanes, left to right: ${story.lanes.join(', ')}. ${counted(story.frames.length, 'row')}, one per ${story.frames.some((f) => f.title.startsWith('pause:')) ? 'action' : 'step'}; each row links to its table below.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="tl" id="${options.id}" width="${g.width}" height="${height}" viewBox="0 0 ${g.width} ${height}" role="group" aria-labelledby="${options.id}-t">`,
    `<title id="${options.id}-t">${escapeHtml(options.title)}</title><desc>${escapeHtml(desc)}</desc>`,
    ...flagged,
    lanePaths(story, g, blocks),
    ...blocks.map((b) => (b.kind === 'header' ? header(b, story, g) : row(b, story, g, options.sectionId(b.frame)))),
    '</svg>',
  ].join('\n');
}
