// One world of the model: a process table with pause in it, driven step by
// step, inside a module instance that many worlds share (instance.ts). The
// world knows its processes by name; the module by slot. Every call into
// the module goes through #exports(), which refuses a disposed world (its
// id may already be another world's) and an aborted module; after each
// event, #hear() takes what pause wrote.
import { PausekitError } from '../../errors.ts';
import { DISPOSITION_ACTIONS, SIGNALS, SIGRTMIN, signalNumber } from '../../scenario/types.ts';
import type {
  DispositionAction, Observation, ParentName, PauseObservation, ProcessObservation, SignalName,
} from '../../scenario/types.ts';
import { codeOf, type ModelCodes, type PausePhase } from './codes.ts';
import type { Exports, ModelInstance } from './instance.ts';

/** One world: a process table with pause in it, driven step by step. */
export class ModelWorld {
  readonly #instance: ModelInstance;
  readonly #codes: ModelCodes;
  readonly #id: number;
  readonly pid1: boolean;
  /** Init mode: the program's name (it is also the first name). */
  readonly program: string | undefined;
  readonly #slots: Map<string, number>;
  // The named processes in spawn order, and the name of each slot
  // (outside, pause, then the named ones).
  readonly #names: string[];
  readonly #slotNames: string[];
  #stderr: string[];
  #partial = '';
  #disposed = false;

  /** @internal Use ModelModule.create or clone. */
  constructor(instance: ModelInstance, id: number, pid1: boolean, slots: Map<string, number>, names: string[], stderr: string[], program?: string) {
    this.#instance = instance;
    this.#codes = instance.codes;
    this.#id = id;
    this.pid1 = pid1;
    this.program = program;
    this.#slots = slots;
    this.#names = names;
    const { OUTSIDE, PAUSE } = instance.codes.slot;
    this.#slotNames = [];
    this.#slotNames[OUTSIDE] = 'outside';
    this.#slotNames[PAUSE] = 'pause';
    for (const [name, slot] of slots) this.#slotNames[slot] = name;
    this.#stderr = stderr;
  }

  /** @internal Appends pause's new output. */
  takeStderr(text: string): void {
    if (text === '') return;
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    this.#stderr.push(...parts);
  }

  // A disposed world's id may be another world's by now: nothing of it may
  // be read or changed, not even what the host keeps of it.
  #checkNotDisposed(): void {
    if (this.#disposed) throw new PausekitError('this model world was disposed', { engine: 'model', kind: 'disposed' });
  }

  // The exports for a call on this world: not disposed, in a module that
  // has not aborted.
  #exports(): Exports {
    this.#checkNotDisposed();
    return this.#instance.live();
  }

  // After an event: what pause wrote meanwhile joins the world's stderr.
  #hear(): void {
    this.takeStderr(this.#instance.drain());
  }

  // The error for a negative result (the module refused the call). Callers
  // build the message only on that path: none of it is made per call.
  #refused(result: number, what: string, details: Record<string, unknown>): PausekitError {
    const text = this.#codes.errorText.get(result) ?? `error ${result}`;
    return new PausekitError(`${what}: ${text}`, { engine: 'model', code: result, ...details });
  }

  // The slot of a name ("outside", "pause" or a spawned process's); role
  // says which argument it was, for the error.
  #slot(name: string, role: string): number {
    if (name === 'outside') return this.#codes.slot.OUTSIDE;
    if (name === 'pause') return this.#codes.slot.PAUSE;
    const slot = this.#slots.get(name);
    if (slot === undefined) {
      throw new PausekitError(`${role} '${name}' is not a process of this scenario`, { field: role, value: name });
    }
    return slot;
  }

  /** Names of the spawned processes, in spawn order. */
  get names(): readonly string[] {
    this.#checkNotDisposed();
    return this.#names;
  }

  /** parent ("outside" or a living name) forks a new process called name. */
  spawn(name: string, parent: ParentName = 'outside', reaps = true): void {
    const raw = this.#exports();
    if (name === 'outside' || name === 'pause' || this.#slots.has(name)) {
      throw new PausekitError(`cannot spawn '${name}': the name is taken`, { field: 'name', value: name });
    }
    const slot = raw.spawn(this.#id, this.#slot(parent, 'parent'), reaps ? 1 : 0);
    this.#hear();
    if (slot < 0) throw this.#refused(slot, `cannot spawn '${name}' from '${parent}'`, { field: 'parent', value: parent });
    this.#slots.set(name, slot);
    this.#names.push(name);
    this.#slotNames[slot] = name;
  }

  /** The process calls _exit(code). */
  exit(name: string, code: number): void {
    const result = this.#exports().exitProcess(this.#id, this.#slot(name, 'name'), code);
    this.#hear();
    if (result < 0) throw this.#refused(result, `'${name}' cannot exit`, { field: 'name', value: name });
  }

  /** from (default "outside") sends signal to target (a name or "pause"). */
  kill(target: string, signal: SignalName | number, from: ParentName = 'outside'): void {
    const raw = this.#exports();
    const sig = signalNumber(signal);
    const to = this.#slot(target, 'target');
    const result = raw.kill(this.#id, this.#slot(from, 'from'), to, sig);
    this.#hear();
    if (result < 0) throw this.#refused(result, `'${from}' cannot signal '${target}'`, { field: 'from', value: from });
  }

  /** SIGSTOP, from outside unless told. */
  stop(target: string, from: ParentName = 'outside'): void {
    this.kill(target, 'SIGSTOP', from);
  }

  /** SIGCONT, from outside unless told. */
  continue(target: string, from: ParentName = 'outside'): void {
    this.kill(target, 'SIGCONT', from);
  }

  /** The process calls prctl(PR_SET_CHILD_SUBREAPER, 1). */
  subreaper(name: string): void {
    const result = this.#exports().makeSubreaper(this.#id, this.#slot(name, 'name'));
    this.#hear();
    if (result < 0) throw this.#refused(result, `'${name}' cannot become a subreaper`, { field: 'name', value: name });
  }

  /** The process changes what it does with a signal (the disposition step). */
  disposition(name: string, signal: SignalName | number, action: DispositionAction): void {
    const raw = this.#exports();
    const slot = this.#slot(name, 'name');
    const sig = signalNumber(signal);
    const code = codeOf(this.#codes.action, action, 'disposition', DISPOSITION_ACTIONS);
    const result = raw.disposition(this.#id, slot, sig, code);
    this.#hear();
    if (result < 0) throw this.#refused(result, `'${name}' cannot change its disposition of ${String(signal)}`, { field: 'name', value: name });
  }

  /** Init mode: how many times pause has forwarded a signal (kill() calls, ever). */
  forwardCount(signal: SignalName | number): number {
    return this.#exports().pauseForwardCount(this.#id, signalNumber(signal));
  }

  /** Init mode: zombie children pause had when it exited with the program's status; -1 if it has not. */
  get zombiesAtExit(): number {
    return this.#exports().pauseZombiesAtExit(this.#id);
  }

  /** One atomic action of pause; false when pause is blocked, stopped or gone. */
  step(): boolean {
    const result = this.#exports().step(this.#id);
    this.#hear();
    return result === 1;
  }

  /** Whether pause has an action to take now (without taking it). */
  canStep(): boolean {
    const copy = this.clone();
    try {
      return copy.step();
    } finally {
      copy.dispose();
    }
  }

  /**
   * Steps until pause blocks, stops or exits; returns the steps taken.
   * Hitting the bound is a livelock: a PausekitError with details.kind 'livelock'.
   */
  settle(step = -1): number {
    const raw = this.#exports();
    const result = raw.settle(this.#id);
    this.#hear();
    if (result === this.#codes.livelock) {
      const bound = raw.settleBound(this.#id);
      throw new PausekitError(`step ${step}: pause never blocks (livelock): still running after ${bound} steps, in state ${this.phase}`, {
        engine: 'model', kind: 'livelock', step, bound,
      });
    }
    return result;
  }

  /** pause's state as in pause.c. */
  get phase(): PausePhase {
    const phase = this.#exports().pausePhase(this.#id);
    const name = this.#codes.phaseNamed[phase];
    if (name === undefined) throw this.#refused(phase, "cannot read pause's phase", {});
    return name;
  }

  /** Handler frames on pause's stack. */
  get depth(): number {
    return this.#exports().pauseDepth(this.#id);
  }

  /** pause as an observation: running, stopped, exited with a code, or killed. */
  pause(): PauseObservation {
    const { PAUSE } = this.#codes.slot;
    const raw = this.#exports();
    const state = raw.processState(this.#id, PAUSE);
    if (state === this.#codes.state.running) return { state: 'running' };
    if (state === this.#codes.state.stopped) return { state: 'stopped' };
    const code = raw.processExitCode(this.#id, PAUSE);
    if (code >= 0) return { state: 'exited', code };
    return { state: 'killed', signal: SIGNALS[raw.processExitSignal(this.#id, PAUSE)] as SignalName };
  }

  // The name of a parent slot; null for none (-1, once reaped).
  #parentName(slot: number): ParentName | null {
    return slot < 0 ? null : this.#slotNames[slot] ?? null;
  }

  /** One named process: state and parent (not what it caught: see observe). */
  process(name: string): ProcessObservation {
    const raw = this.#exports();
    const slot = this.#slot(name, 'name');
    const code = raw.processState(this.#id, slot);
    const state = this.#codes.stateNamed[code];
    if (state === undefined) throw this.#refused(code, `cannot read the state of '${name}'`, { field: 'name', value: name });
    if (state === 'gone') return { state, parent: null };
    return { state, parent: this.#parentName(raw.processParent(this.#id, slot)) };
  }

  // The signals a process's handler ran for since the last observation
  // (taken, so the next observation starts afresh), a real-time one once
  // per delivery (they queue); undefined if it never had a handler.
  #takeCaught(name: string): SignalName[] | undefined {
    const raw = this.#exports();
    const slot = this.#slot(name, 'name');
    if (raw.processCatches(this.#id, slot) === 0) return undefined;
    return signalsIn(raw.takeCaught(this.#id, slot)).flatMap((s) => {
      const n = SIGNALS.indexOf(s);
      return n < SIGRTMIN ? [s] : Array<SignalName>(raw.caughtQueuedCount(this.#id, slot, n)).fill(s);
    });
  }

  /** How a named process ended and who reaped it (for invariants). */
  fate(name: string): { reapCount: number; reapedBy: ParentName | null; exitCode: number; exitSignal: number } {
    const raw = this.#exports();
    const slot = this.#slot(name, 'name');
    return {
      reapCount: raw.processReapCount(this.#id, slot),
      reapedBy: this.#parentName(raw.processReapedBy(this.#id, slot)),
      exitCode: raw.processExitCode(this.#id, slot),
      exitSignal: raw.processExitSignal(this.#id, slot),
    };
  }

  /** Signals pending for a process (or "pause"), lowest number first. */
  pending(name: string): SignalName[] {
    return signalsIn(this.#exports().processPending(this.#id, this.#slot(name, 'name')));
  }

  /** pause's stderr lines since the last call (or observe). */
  stderr(): string[] {
    this.#checkNotDisposed();
    const lines = this.#stderr;
    this.#stderr = [];
    return lines;
  }

  /** Every stderr line not yet taken, without taking them. */
  peekStderr(): readonly string[] {
    this.#checkNotDisposed();
    return this.#stderr;
  }

  /** The observation the engines record after a step (it takes the caught signals). */
  observe(step: number): Observation {
    const processes: Record<string, ProcessObservation> = {};
    for (const name of this.#names) {
      const process = this.process(name);
      const caught = this.#takeCaught(name);
      processes[name] = caught === undefined ? process : { ...process, caught };
    }
    return { step, pause: this.pause(), processes, stderr: this.stderr() };
  }

  /** pause's steps so far. */
  get pauseSteps(): number {
    return this.#exports().pauseSteps(this.#id);
  }

  /** The whole state as a string, equal for equal states. */
  key(): string {
    const raw = this.#exports();
    const n = raw.stateKey(this.#id);
    const words = new Array<number>(n);
    for (let i = 0; i < n; i++) words[i] = raw.keyWord(i);
    return words.join(',');
  }

  /** An independent copy (the names and unread stderr come along). */
  clone(): ModelWorld {
    const id = this.#exports().clone(this.#id);
    if (id < 0) throw this.#refused(id, 'cannot clone', {});
    const copy = new ModelWorld(this.#instance, id, this.pid1, new Map(this.#slots), [...this.#names], [...this.#stderr], this.program);
    copy.#partial = this.#partial;
    return copy;
  }

  /** Frees the world inside the module (again: nothing; after an abort: only marks it disposed). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.#instance.broken) this.#instance.exports.destroy(this.#id);
  }
}

// The signals of a set (bit n-1: signal n, as the model keeps them), lowest number first.
function signalsIn(set: bigint): SignalName[] {
  return SIGNALS.filter((s, n) => s !== '' && ((set >> BigInt(n - 1)) & 1n) !== 0n) as SignalName[];
}
