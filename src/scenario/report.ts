// Human-readable observations: one small table per step, shared by every
// engine's `run` output; and the one rule of pausekit's printed text, that
// every line fits COLUMNS columns.
import { checkArgument, isRecord } from '../errors.ts';
import type { Inherit, Observation, PauseObservation, Scenario, SignalName, Step } from './types.ts';

/** The widest line pausekit prints (help, tables, lists). */
export const COLUMNS = 100;

/**
 * `text` broken at spaces into lines of at most `width` columns; a word
 * longer than a line stays whole on its own line.
 */
export function wrap(text: string, width: number = COLUMNS): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  return [...lines, line];
}

/** A count and its noun, singular for 1 (1 step, 2 steps; `many` when the plural is not noun + s). */
export function counted(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}

/**
 * A line of pause's own output cut into pieces of at most `width` columns
 * (the first) and `width - 4` (the rest, which the caller indents): at
 * spaces where it can, inside a word longer than a piece where it must.
 */
function fold(text: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  for (let room = width; rest.length > room; room = width - 4) {
    const space = rest.lastIndexOf(' ', room);
    const cut = space > 0 ? space : room;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(space > 0 ? cut + 1 : cut);
  }
  return [...pieces, rest];
}

/** One line saying what a step does. */
export function describeStep(step: Step): string {
  checkArgument(isRecord(step) && typeof step.event === 'string', 'describeStep(step): step', 'a scenario step ({ event: ... })', step);
  switch (step.event) {
    case 'spawn':
      return `spawn ${step.name} (parent ${step.parent}, ${step.reaps ? 'reaps its children' : 'never reaps'})`;
    case 'exit':
      return `${step.name} exits with code ${step.code}`;
    case 'signal':
      return `${step.from} sends ${step.signal} to ${step.target}`;
    case 'subreaper':
      return `${step.name} becomes a child subreaper`;
    case 'disposition':
      return step.action === 'block' ? `${step.name} blocks ${step.signal}`
        : step.action === 'catch' ? `${step.name} catches ${step.signal}`
        : step.action === 'ignore' ? `${step.name} ignores ${step.signal}`
        : `${step.name} restores the default action of ${step.signal}`;
  }
}

/** How pause starts: reference pause, or init mode with its command line. */
export function describeStart(scenario: Scenario): string {
  const where = scenario.pid1 ? 'as PID 1 of a fresh PID namespace' : 'as a plain process (not PID 1)';
  const init = scenario.init;
  if (init === undefined) return `pause ${where}${describeInherit(scenario.inherit)}`;
  const options = [init.group ? '-g' : '', init.subreaper ? '-s' : '', ...init.expect.map((code) => `-e ${code}`)].filter((o) => o !== '');
  return `pause ${[...options, '--', init.name].join(' ')} ${where}${EXEC_WORDS[init.exec]}${describeInherit(scenario.inherit)}`;
}

/** What describeStart() says of each exec outcome. */
const EXEC_WORDS: Record<NonNullable<Scenario['init']>['exec'], string> = {
  ok: '', missing: ', which is not on PATH', 'not-executable': ', which is not executable',
  directory: ', which is a directory', 'name-too-long': ', whose name is too long to look up',
};

/** What pause is started with, in words (', started with ...'; '' for nothing). */
export function describeInherit(inherit: Inherit | undefined): string {
  const parts = [
    inherit !== undefined && inherit.ignored.length > 0 ? `${inherit.ignored.join(' ')} ignored` : '',
    inherit !== undefined && inherit.blocked.length > 0 ? `${inherit.blocked.join(' ')} blocked` : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? '' : `, started with ${parts.join(' and ')}`;
}

/** A caught list in words: each signal once, a real-time one caught N times as NAME×N. */
function caughtWords(caught: readonly SignalName[]): string {
  if (caught.length === 0) return '-';
  const counts = new Map<SignalName, number>();
  for (const signal of caught) counts.set(signal, (counts.get(signal) ?? 0) + 1);
  return [...counts].map(([signal, n]) => (n === 1 ? signal : `${signal}×${n}`)).join(' ');
}

function pauseState(pause: PauseObservation): string {
  switch (pause.state) {
    case 'exited':
      return `exited ${pause.code}`;
    case 'killed':
      return `killed by ${pause.signal}`;
    default:
      return pause.state;
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
}

/** Every observation as a titled table: pause and each process, then stderr. */
export function formatObservations(scenario: Scenario, observations: Observation[]): string {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'formatObservations(scenario, observations): scenario', 'a Scenario', scenario);
  checkArgument(Array.isArray(observations), 'formatObservations(scenario, observations): observations', "a run's observations (runModel, runKernel)", observations);
  const blocks = observations.map((o, index) => {
    const before = index > 0 ? observations[index - 1].processes : {};
    const goneEarlier = Object.keys(o.processes).filter((name) => before[name]?.state === 'gone');
    const title = o.step < 0
      ? `start: ${describeStart(scenario)}`
      : `step ${o.step}: ${describeStep(scenario.steps[o.step])}`;
    const catching = Object.values(o.processes).some((p) => p.caught !== undefined);
    const rows = [
      ['process', 'state', 'parent', ...(catching ? ['caught'] : [])],
      ['pause', pauseState(o.pause), o.pause.state === 'running' || o.pause.state === 'stopped' ? 'outside' : '-', ...(catching ? [''] : [])],
      ...Object.entries(o.processes)
        .filter(([name]) => !goneEarlier.includes(name))
        .map(([name, p]) => [name, p.state, p.parent ?? '-', ...(catching ? [p.caught === undefined ? '' : caughtWords(p.caught)] : [])]),
    ];
    const gone = goneEarlier.length > 0 ? [`  (gone earlier: ${goneEarlier.join(', ')})`] : [];
    const stderr = o.stderr.map((line) => fold(`  stderr: ${line}`, COLUMNS).join('\n    '));
    return [wrap(title, COLUMNS - 2).join('\n  '), ...table(rows), ...gone, ...stderr].join('\n');
  });
  return blocks.join('\n\n') + '\n';
}
