// What a picture of a run shows, before any drawing: one frame per row of
// the timeline (the start, each step, or each action of an explored trace),
// with the signals as arrows from sender to target, and the notes written
// on a process's lane (its exit and code, who reaped it, its new parent).
//
// A frame is made of transitions: on the kernel one per step (all we see is
// the settled state before and after); on the model one per atomic action,
// each with facts only the model can tell (which signals were pending before
// and after, what pause forwarded, how a process ended and who reaped it).
// The marks on an arrow come from:
//   caught      the observation: the target's handler ran for it (both engines)
//   blocked     the scenario: the target blocked it (a disposition step, or
//               the init program started so, inherit); on the model also: it
//               is still pending when the step settles
//   ignored     the scenario: the target ignores it (as blocked); on the model also: the
//               kernel discarded it (not pending, no effect)
//   coalesced   the model only: the same signal was already pending at the
//               target, so this one merged into it
//   queued      the model only: the same real-time signal was already pending
//               at the target, and this one waits behind it (they queue: each
//               is delivered)
//   pending     the model only: still pending when the step settled (target
//               stopped, or pause not yet past its next step)
//   no visible effect   the kernel only: nothing the observation shows changed
import { SIGNALS, SIGRTMIN } from '../scenario/types.ts';
import type { DispositionAction, ExecOutcome, InitConfig, Observation, ProcessState, Scenario, SignalName, Step } from '../scenario/types.ts';

/** A column of the timeline: "outside", "pause" or a process name. */
export type Lane = string;

export type Mark = 'caught' | 'blocked' | 'ignored' | 'coalesced' | 'queued' | 'pending' | 'no visible effect';

export interface Arrow {
  /** signal: a scenario step; forward: pause passes it on (init mode); sigchld: the kernel tells a parent; fork: a process starts. */
  kind: 'signal' | 'forward' | 'sigchld' | 'fork';
  from: Lane;
  to: Lane;
  label: string;
  marks: Mark[];
}

/** Words written on a lane where something happened to its process. */
export interface Note {
  lane: Lane;
  text: string;
}

/** How a process ended and who reaped it, as the model knows it. */
export interface Fate {
  exitCode: number;
  exitSignal: number;
  reapedBy: string | null;
}

/** What only the model can tell about one atomic action. */
export interface ModelFacts {
  pendingBefore: ReadonlyMap<Lane, readonly SignalName[]>;
  pendingAfter: ReadonlyMap<Lane, readonly SignalName[]>;
  /** Each kill() pause made of its program in this action (init mode). */
  forwards: readonly SignalName[];
  /** For each process that ended or was reaped in this action. */
  fates: ReadonlyMap<string, Fate>;
}

/** One change of the world: a scenario event, one of pause's actions, or pause's start. */
export interface Transition {
  event: Step | null;
  /** null: the very start (nothing existed). */
  before: Observation | null;
  after: Observation;
  facts?: ModelFacts;
}

export interface Frame {
  /** The scenario step this frame belongs to; -1 the start. */
  step: number;
  title: string;
  /** The state once the frame is over (its caught signals and stderr lines are the frame's). */
  observation: Observation;
  arrows: Arrow[];
  notes: Note[];
  /** Highlighted: the first difference, or the broken invariant, in words. */
  flag?: string;
}

/** What a timeline draws: its lanes, left to right, and its frames, top to bottom. */
export interface Story {
  lanes: Lane[];
  frames: Frame[];
  /** Where the marks came from, for the legend: the model's facts, or the observations alone (as the kernel gives them). */
  source: 'model' | 'observations';
}

const ALIVE: ReadonlySet<string> = new Set(['running', 'stopped']);
const ENDED: ReadonlySet<string> = new Set(['zombie', 'gone']);

/** Whether a signal is a real-time one, which the kernel queues (one delivery per kill) rather than coalesces. */
function isRealTime(signal: SignalName): boolean {
  return SIGNALS.indexOf(signal) >= SIGRTMIN;
}

/** The dispositions the scenario has set so far, per process and signal. */
export class Dispositions {
  readonly #set = new Map<string, Map<SignalName, DispositionAction>>();

  /**
   * In init mode the program starts with what pause was started with
   * (inherit): those signals ignored, and those blocked (blocked wins: a
   * blocked signal stays pending even when ignored).
   */
  constructor(scenario: Scenario) {
    const { init, inherit } = scenario;
    if (init === undefined || inherit === undefined) return;
    const mine = new Map<SignalName, DispositionAction>();
    for (const signal of inherit.ignored) mine.set(signal, 'ignore');
    for (const signal of inherit.blocked) mine.set(signal, 'block');
    this.#set.set(init.name, mine);
  }

  /** Follows a step: a disposition step changes what its process does. */
  follow(step: Step | null): void {
    if (step?.event !== 'disposition') return;
    const mine = this.#set.get(step.name) ?? new Map<SignalName, DispositionAction>();
    mine.set(step.signal, step.action);
    this.#set.set(step.name, mine);
  }

  /** What the lane's process does with the signal, if the scenario said. */
  of(lane: Lane, signal: SignalName): DispositionAction | undefined {
    return this.#set.get(lane)?.get(signal);
  }
}

/** A lane's state in an observation: pause's running, stopped or ended; a process's state, or absent. */
function stateOf(o: Observation | null, lane: Lane): ProcessState | 'absent' | 'ended' {
  if (o === null) return 'absent';
  if (lane === 'pause') return o.pause.state === 'running' || o.pause.state === 'stopped' ? o.pause.state : 'ended';
  return o.processes[lane]?.state ?? 'absent';
}

/** Whether the model saw the signal pending at the lane, before or after an action (never, without the model). */
function pending(facts: ModelFacts | undefined, which: 'pendingBefore' | 'pendingAfter', lane: Lane, signal: SignalName): boolean {
  return facts?.[which].get(lane)?.includes(signal) ?? false;
}

/** Whether anything the observation shows of a lane changed in a transition. */
function laneChanged(t: Transition, lane: Lane): boolean {
  if (lane === 'pause') return JSON.stringify(t.before?.pause) !== JSON.stringify(t.after.pause) || t.after.stderr.length > 0;
  const before = t.before?.processes[lane];
  const after = t.after.processes[lane];
  return before?.state !== after?.state || before?.parent !== after?.parent;
}

/** Whether anything at all the observation shows changed in a transition (a state, a parent, a line, a catch). */
function anythingChanged(t: Transition): boolean {
  const names = new Set([...Object.keys(t.before?.processes ?? {}), ...Object.keys(t.after.processes)]);
  return laneChanged(t, 'pause') || [...names].some((name) => laneChanged(t, name) || (t.after.processes[name]?.caught?.length ?? 0) > 0);
}

/**
 * The marks of one signal reaching a lane in a transition (`merged`: an
 * earlier one of this action already reached it). "pending" is provisional
 * here: the frame keeps it only if the signal is still pending once the
 * frame is over (see settleMarks). A SIGCHLD has no "no visible effect":
 * its effect is a reaping, on another lane.
 */
function signalMarks(t: Transition, lane: Lane, signal: SignalName, dispositions: Dispositions, merged = false): Mark[] {
  const marks: Mark[] = [];
  const disposition = dispositions.of(lane, signal);
  const caught = t.after.processes[lane]?.caught?.includes(signal) ?? false;
  if (caught) marks.push('caught');
  if (t.facts === undefined) {
    if (disposition === 'block') marks.push('blocked');
    else if (disposition === 'ignore') marks.push('ignored');
    else if (!caught && signal !== 'SIGCHLD' && !anythingChanged(t)) marks.push('no visible effect');
    return marks;
  }
  const after = pending(t.facts, 'pendingAfter', lane, signal);
  const already = pending(t.facts, 'pendingBefore', lane, signal) || (merged && after);
  // A real-time signal does not merge into the one pending: it queues behind it (K16).
  if (already && isRealTime(signal)) return [...marks, 'queued', ...(after ? ['pending' as const] : [])];
  if (already) return [...marks, 'coalesced'];
  if (after) return [...marks, 'pending'];
  const reaped = [...t.facts.fates.values()].some((f) => f.reapedBy === lane);
  if (!caught && !reaped && !laneChanged(t, lane)) marks.push('ignored');
  return marks;
}

/** Why the init program's exec failed, in words, by the scenario's exec outcome. */
const EXEC_FAILURES: Record<Exclude<ExecOutcome, 'ok'>, string> = {
  missing: 'not found', 'not-executable': 'not executable', directory: 'a directory', 'name-too-long': 'name too long',
};

/** How a process that ended in this transition ended, in words. */
function endText(t: Transition, name: string, scenario: Scenario): string {
  const fate = t.facts?.fates.get(name);
  const event = t.event;
  // The init program that could not be run: it ends at the start, before pause does, whatever the namespace does after.
  const exec = scenario.init?.name === name && t.before?.processes[name] === undefined ? scenario.init.exec : 'ok';
  if (exec !== 'ok') return `${fate !== undefined && fate.exitCode >= 0 ? `exit ${fate.exitCode}: ` : ''}exec failed (${EXEC_FAILURES[exec]})`;
  const pid1 = scenario.pid1;
  const pauseEnded = stateOf(t.before, 'pause') !== 'ended' && stateOf(t.after, 'pause') === 'ended';
  const namespace = pid1 && pauseEnded ? ' (namespace ended)' : '';
  if (event?.event === 'exit' && event.name === name) return `exit ${event.code}`;
  if (fate !== undefined && fate.exitSignal > 0) return `killed by ${SIGNALS[fate.exitSignal]}${namespace}`;
  if (fate !== undefined && fate.exitCode >= 0) return `exit ${fate.exitCode}`;
  if (event?.event === 'signal' && event.target === name) return `killed by ${event.signal}`;
  return namespace !== '' ? 'killed: namespace ended' : 'died';
}

/** A SIGCHLD arrow for each child whose death (or reparenting as a zombie) the kernel tells its parent of. */
function childSignals(t: Transition, dispositions: Dispositions): Arrow[] {
  const arrows: Arrow[] = [];
  const told = new Map<Lane, number>();
  for (const [name, after] of Object.entries(t.after.processes)) {
    const before = t.before?.processes[name];
    const died = ENDED.has(after.state) && (before === undefined || ALIVE.has(before.state));
    const adopted = before?.state === 'zombie' && after.state === 'zombie' && before.parent !== after.parent;
    if (!died && !adopted) continue;
    const parent = adopted ? after.parent : before?.parent ?? after.parent;
    // Only a parent in the picture that can still take it: not the runner outside, not a dead one.
    if (parent === null || parent === 'outside' || !ALIVE.has(stateOf(t.after, parent))) continue;
    const earlier = told.get(parent) ?? 0;
    told.set(parent, earlier + 1);
    // Standard signals do not queue: one action's second SIGCHLD to a parent merges into the first.
    arrows.push({ kind: 'sigchld', from: name, to: parent, label: 'SIGCHLD', marks: signalMarks(t, parent, 'SIGCHLD', dispositions, earlier > 0) });
  }
  return arrows;
}

/**
 * Who reaped a process gone in this transition: the model says; from
 * observations, its parent before, if that parent was there to do it
 * (outside, or still alive after); else not known (a parent that died in
 * the same step handed it on first).
 */
function reaperOf(t: Transition, name: string): string | null {
  const fate = t.facts?.fates.get(name);
  if (fate !== undefined) return fate.reapedBy;
  const parent = t.before?.processes[name]?.parent ?? null;
  return parent === 'outside' || (parent !== null && ALIVE.has(stateOf(t.after, parent))) ? parent : null;
}

/** The notes of one transition: starts, stops, ends, reaping, new parents. */
function notesOf(t: Transition, scenario: Scenario): Note[] {
  const notes: Note[] = [];
  const pauseBefore = t.before?.pause;
  const pause = t.after.pause;
  // At the start, pause already ended (its program could not run): seen only from observations, in one transition.
  const endedAtOnce = pauseBefore === undefined && (pause.state === 'exited' || pause.state === 'killed');
  if (endedAtOnce || (pauseBefore !== undefined && JSON.stringify(pauseBefore) !== JSON.stringify(pause))) {
    notes.push({
      lane: 'pause',
      text: pause.state === 'exited' ? `exit ${pause.code}` : pause.state === 'killed' ? `killed by ${pause.signal}` : pause.state === 'stopped' ? 'stopped' : 'continued',
    });
  }
  for (const [name, after] of Object.entries(t.after.processes)) {
    const before = t.before?.processes[name];
    const reaper = reaperOf(t, name);
    if (ENDED.has(after.state) && (before === undefined || ALIVE.has(before.state))) {
      notes.push({ lane: name, text: endText(t, name, scenario) });
      if (after.state === 'gone') notes.push({ lane: name, text: reaper === null ? 'reaped' : `reaped by ${reaper}` });
    } else if (before?.state === 'zombie' && after.state === 'gone') {
      notes.push({ lane: name, text: reaper === null ? 'reaped' : `reaped by ${reaper}` });
    } else if (before?.state === 'running' && after.state === 'stopped') {
      notes.push({ lane: name, text: 'stopped' });
    } else if (before?.state === 'stopped' && after.state === 'running') {
      notes.push({ lane: name, text: 'continued' });
    }
    if (before !== undefined && after.state !== 'gone' && before.parent !== null && after.parent !== null && before.parent !== after.parent) {
      notes.push({ lane: name, text: `parent → ${after.parent}` });
    }
  }
  return notes;
}

/** The arrows of one transition: a fork, the step's signal, pause's forwards, the kernel's SIGCHLDs. */
function arrowsOf(t: Transition, dispositions: Dispositions, init: InitConfig | undefined): Arrow[] {
  const arrows: Arrow[] = [];
  for (const [name, after] of Object.entries(t.after.processes)) {
    if (t.before?.processes[name] !== undefined) continue;
    const parent = t.event?.event === 'spawn' && t.event.name === name ? t.event.parent : after.parent ?? 'pause';
    arrows.push({ kind: 'fork', from: parent, to: name, label: parent === 'outside' ? 'start' : 'fork', marks: [] });
  }
  if (t.event?.event === 'signal') {
    const { from, target, signal } = t.event;
    arrows.push({ kind: 'signal', from, to: target, label: signal, marks: signalMarks(t, target, signal, dispositions) });
  }
  if (init !== undefined) {
    const seen = new Map<SignalName, number>();
    for (const signal of t.facts?.forwards ?? []) {
      const earlier = seen.get(signal) ?? 0;
      seen.set(signal, earlier + 1);
      arrows.push({
        kind: 'forward', from: 'pause', to: init.name, label: init.group ? `${signal} (group)` : signal,
        marks: signalMarks(t, init.name, signal, dispositions, earlier > 0),
      });
    }
  }
  return [...arrows, ...childSignals(t, dispositions)];
}

/**
 * A provisional "pending" stays only if the signal is still pending when
 * the frame is over; then it reads "blocked" where the scenario blocked it.
 */
function settleMarks(arrows: Arrow[], last: Transition, dispositions: Dispositions): void {
  for (const arrow of arrows) {
    if (!arrow.marks.includes('pending')) continue;
    const signal = arrow.label.split(' ')[0] as SignalName;
    const marks: Mark[] = arrow.marks.filter((m) => m !== 'pending');
    if (pending(last.facts, 'pendingAfter', arrow.to, signal)) marks.push(dispositions.of(arrow.to, signal) === 'block' ? 'blocked' : 'pending');
    arrow.marks = marks;
  }
}

/**
 * The signals a handler ran for over a frame's transitions, as one
 * observation of the whole frame lists them: a standard signal once (a
 * second one while pending is lost, K1), a real-time one once per delivery
 * (they queue, K16); lowest number first.
 */
function caughtOver(transitions: readonly Transition[], name: string): SignalName[] {
  const all = transitions.flatMap((t) => t.after.processes[name]?.caught ?? []);
  const standard = new Set(all.filter((s) => !isRealTime(s)));
  return [...standard, ...all.filter(isRealTime)].sort((a, b) => SIGNALS.indexOf(a) - SIGNALS.indexOf(b));
}

/** One frame's observation from its transitions: the last state, every caught signal and stderr line. */
export function frameObservation(step: number, transitions: readonly Transition[]): Observation {
  const last = transitions[transitions.length - 1]!.after;
  const processes: Observation['processes'] = {};
  for (const [name, p] of Object.entries(last.processes)) {
    processes[name] = p.caught === undefined ? p : { ...p, caught: caughtOver(transitions, name) };
  }
  return { step, pause: last.pause, processes, stderr: transitions.flatMap((t) => t.after.stderr) };
}

/** Signals in words, a queued one's deliveries counted: "SIGUSR1 SIGRTMIN+3 ×3". */
function timesEach(signals: readonly SignalName[]): string {
  const counts = new Map<SignalName, number>();
  for (const signal of signals) counts.set(signal, (counts.get(signal) ?? 0) + 1);
  return [...counts].map(([signal, n]) => (n === 1 ? signal : `${signal} ×${n}`)).join(' ');
}

/** Builds the frames of a story from its transitions, in order; `dispositions` follows the scenario along. */
export function buildFrame(
  scenario: Scenario, step: number, title: string, transitions: readonly Transition[], dispositions: Dispositions, observation?: Observation,
): Frame {
  const arrows: Arrow[] = [];
  const notes: Note[] = [];
  for (const t of transitions) {
    dispositions.follow(t.event);
    arrows.push(...arrowsOf(t, dispositions, scenario.init));
    notes.push(...notesOf(t, scenario));
  }
  settleMarks(arrows, transitions[transitions.length - 1]!, dispositions);
  const seen = observation ?? frameObservation(step, transitions);
  // A handler that ran with no arrow of this frame to show it: a signal that waited, or one forwarded unseen.
  for (const [name, p] of Object.entries(seen.processes)) {
    const shown = new Set(arrows.filter((a) => a.to === name && a.marks.includes('caught')).map((a) => a.label.split(' ')[0]));
    const unseen = (p.caught ?? []).filter((signal) => !shown.has(signal));
    if (unseen.length > 0) notes.push({ lane: name, text: `caught ${timesEach(unseen)}` });
  }
  return { step, title, observation: seen, arrows, notes };
}

/** The lanes of a story: outside if anything comes from there, pause, then every process in order of appearance. */
export function lanesOf(frames: readonly Frame[]): Lane[] {
  const names = new Set<string>();
  for (const f of frames) for (const name of Object.keys(f.observation.processes)) names.add(name);
  const fromOutside = frames.some((f) => f.arrows.some((a) => a.from === 'outside' || a.to === 'outside'));
  return [...(fromOutside ? ['outside'] : []), 'pause', ...names];
}

/** Adds "left a zombie" where a process is still a zombie once the run is over. */
export function markLeftovers(frames: Frame[]): void {
  const last = frames[frames.length - 1];
  if (last === undefined) return;
  for (const [name, p] of Object.entries(last.observation.processes)) {
    if (p.state === 'zombie') last.notes.push({ lane: name, text: `left a zombie (parent ${p.parent ?? '?'})` });
  }
}
