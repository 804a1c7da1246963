// A world: one process table, and the state of the one process whose code the
// model runs (pause). Many independent worlds live in one module instance
// (../index.ts numbers them). Slot 0 is outside (the runner), slot 1 is
// pause, named processes start at 2.
//
// The kernel's rules over a world are in this folder; pause's program, which
// drives the fields marked "pause's program" below, is ../pause.ts.
import { FIRST_QUEUED, SIGNAL_LAST } from "./sigset";

/** Process states in the table. */
export const FREE: i32 = 0;
export const RUNNING: i32 = 1;
export const STOPPED: i32 = 2;
export const ZOMBIE: i32 = 3;
export const GONE: i32 = 4;

/** Fixed slots. */
export const OUTSIDE: i32 = 0;
export const PAUSE: i32 = 1;

/** The table holds this many named processes besides outside and pause. */
export const MAX_PROCESSES: i32 = 4096;

// Frames on pause's stack: handlers nest, one frame per signal at most
// (pause handles INT, TERM and CHLD; in init mode every forwarded signal,
// each blocked while its frame is up).
export const MAX_FRAMES: i32 = 64;

/** The queued counts per slot (world.queued): one per signal of 32..64. */
export const RT_SLOTS: i32 = SIGNAL_LAST - FIRST_QUEUED + 1;

// One column of the process table: a number per slot, growing as slots are
// added. Reads and writes are inlined where they are used, bounds check
// included (Array<T> makes a function call of every access, the most
// frequent thing the model does).
class Column<T> {
  private buffer: ArrayBuffer = new ArrayBuffer(16 << alignof<T>());
  private capacity: i32 = 16;
  private size: i32 = 0;

  @inline get length(): i32 {
    return this.size;
  }

  @inline @operator("[]")
  get(i: i32): T {
    assert(<u32>i < <u32>this.size, "pause: slot out of range");
    return load<T>(changetype<usize>(this.buffer) + (<usize>i << alignof<T>()));
  }

  @inline @operator("[]=")
  set(i: i32, value: T): void {
    assert(<u32>i < <u32>this.size, "pause: slot out of range");
    store<T>(changetype<usize>(this.buffer) + (<usize>i << alignof<T>()), value);
  }

  @inline push(value: T): void {
    if (this.size == this.capacity) this.reserve(this.capacity << 1);
    store<T>(changetype<usize>(this.buffer) + (<usize>this.size << alignof<T>()), value);
    this.size++;
  }

  // Empty again, keeping the memory.
  clear(): void {
    this.size = 0;
  }

  // Becomes a copy of from, reusing this column's memory where it is enough.
  copyFrom(from: Column<T>): void {
    if (from.length > this.capacity) this.reserve(from.length);
    memory.copy(changetype<usize>(this.buffer), changetype<usize>(from.buffer), <usize>from.length << alignof<T>());
    this.size = from.size;
  }

  private reserve(capacity: i32): void {
    const bigger = new ArrayBuffer(capacity << alignof<T>());
    memory.copy(changetype<usize>(bigger), changetype<usize>(this.buffer), <usize>this.size << alignof<T>());
    this.buffer = bigger;
    this.capacity = capacity;
  }
}

// Every element of a fixed array back to 0 (false): one memory.fill.
@inline function zero<T>(array: StaticArray<T>): void {
  memory.fill(changetype<usize>(array), 0, <usize>array.length << alignof<T>());
}

export class World {
  design: i32 = 0;
  mutant: i32 = 0;
  pid1: bool = true;
  count: i32 = 2;          // slots in use (outside, pause, named...)
  childSeq: i32 = 0;       // order of each parent's children list

  state: Column<i32> = new Column<i32>();
  parent: Column<i32> = new Column<i32>();
  subreaper: Column<bool> = new Column<bool>();
  reaps: Column<bool> = new Column<bool>();
  pending: Column<u64> = new Column<u64>();   // bit n-1: signal n (sigset.ts bit())
  seq: Column<i32> = new Column<i32>();       // position in the parent's children list
  exitCode: Column<i32> = new Column<i32>();  // -1 if killed
  exitSignal: Column<i32> = new Column<i32>();
  reapCount: Column<i32> = new Column<i32>();
  reapedBy: Column<i32> = new Column<i32>();
  pgid: Column<i32> = new Column<i32>();      // process group: its leader's slot

  // A named process's own signal state (pause's is below): a handler or
  // SIG_IGN per signal (else SIG_DFL), its signal mask, the signals its
  // handler ran for since the host last looked, and whether it ever had
  // a handler (the disposition step).
  handlers: Column<u64> = new Column<u64>();
  ignoring: Column<u64> = new Column<u64>();
  mask: Column<u64> = new Column<u64>();
  caught: Column<u64> = new Column<u64>();
  catches: Column<bool> = new Column<bool>();

  // The real-time signals queued to each process (K16): RT_SLOTS counts
  // per slot, one per signal of 32..64, each at most RT_QUEUE_MAX; a
  // signal's bit is pending while its count is above 0.
  queued: Column<u16> = new Column<u16>();
  // And how many times a named process's handler ran for each of them
  // since the host last looked (caught holds which; these, how often).
  caughtQueued: Column<u16> = new Column<u16>();

  // Each parent's children list (living and zombie children, in seq order:
  // fork and adoption both append at the tail), linked through the children
  // so that waitpid, reparenting and reaping never scan the table. -1 ends a
  // list. Derived from parent and seq, so not part of the state key.
  firstChild: Column<i32> = new Column<i32>();
  lastChild: Column<i32> = new Column<i32>();
  nextSibling: Column<i32> = new Column<i32>();
  prevSibling: Column<i32> = new Column<i32>();
  children: Column<i32> = new Column<i32>();  // length of the list
  zombies: Column<i32> = new Column<i32>();   // zombies in the list

  // pause's signal state in the kernel
  handled: u64 = 0;   // signals with a handler (handlers design)
  waited: u64 = 0;    // signals taken by sigwait (sigwait design)
  blocked: u64 = 0;   // current signal mask
  // What pause was started with (a scenario's init.inherit): signals
  // ignored, and its mask; an init-mode program starts with both (K13).
  startIgnored: u64 = 0;
  startBlocked: u64 = 0;
  nsDead: bool = false; // pid1 mode: pause has exited, the namespace is gone

  // Init mode (pause -- PROGRAM): the program's slot, how its exec goes
  // (EXEC_* in ../pause.ts), pause's -g, -e codes (a 256-bit set), what
  // pause has forwarded (kill() calls per signal, ever), and how many zombie
  // children pause left when it exited (-1: it has not exited that way).
  init: bool = false;
  program: i32 = -1;
  execOutcome: i32 = 0;
  group: bool = false;
  expect: StaticArray<u32> = new StaticArray<u32>(8);
  programReaped: bool = false;
  forwardCount: StaticArray<i32> = new StaticArray<i32>(SIGNAL_LAST + 1);
  zombiesAtExit: i32 = -1;

  // pause's program (../pause.ts): where run()'s loop is (MAIN_*), and a
  // stack of frames, one per handler or event function being run (PC_*).
  // 0 is where pause starts: MAIN_IN_PAUSE, PC_CALL.
  main: i32 = 0;
  frameEvent: StaticArray<i32> = new StaticArray<i32>(MAX_FRAMES);
  frameSig: StaticArray<i32> = new StaticArray<i32>(MAX_FRAMES);
  framePc: StaticArray<i32> = new StaticArray<i32>(MAX_FRAMES);
  frameHandler: StaticArray<bool> = new StaticArray<bool>(MAX_FRAMES);
  depth: i32 = 0;
  steps: i32 = 0;       // pause steps taken so far

  // Back to the state of a new World(), keeping the arrays' memory: a
  // destroyed world is reused by the next create() or clone(). Every field
  // above is reset here.
  clear(): void {
    this.design = 0; this.mutant = 0; this.pid1 = true;
    this.count = 2; this.childSeq = 0;
    this.state.clear(); this.parent.clear();
    this.subreaper.clear(); this.reaps.clear();
    this.pending.clear(); this.seq.clear();
    this.exitCode.clear(); this.exitSignal.clear();
    this.reapCount.clear(); this.reapedBy.clear(); this.pgid.clear();
    this.handlers.clear(); this.ignoring.clear(); this.mask.clear();
    this.caught.clear(); this.catches.clear(); this.queued.clear(); this.caughtQueued.clear();
    this.firstChild.clear(); this.lastChild.clear();
    this.nextSibling.clear(); this.prevSibling.clear();
    this.children.clear(); this.zombies.clear();
    this.handled = 0; this.waited = 0; this.blocked = 0; this.startIgnored = 0; this.startBlocked = 0;
    this.main = 0; this.depth = 0; this.nsDead = false; this.steps = 0;
    this.init = false; this.program = -1; this.execOutcome = 0; this.group = false;
    this.programReaped = false; this.zombiesAtExit = -1;
    zero(this.expect); zero(this.forwardCount);
    zero(this.frameEvent); zero(this.frameSig); zero(this.framePc); zero(this.frameHandler);
  }

  copy(): World {
    const w = freshWorld();
    w.design = this.design; w.mutant = this.mutant; w.pid1 = this.pid1;
    w.count = this.count; w.childSeq = this.childSeq;
    w.state.copyFrom(this.state); w.parent.copyFrom(this.parent);
    w.subreaper.copyFrom(this.subreaper); w.reaps.copyFrom(this.reaps);
    w.pending.copyFrom(this.pending); w.seq.copyFrom(this.seq);
    w.exitCode.copyFrom(this.exitCode); w.exitSignal.copyFrom(this.exitSignal);
    w.reapCount.copyFrom(this.reapCount); w.reapedBy.copyFrom(this.reapedBy);
    w.pgid.copyFrom(this.pgid);
    w.handlers.copyFrom(this.handlers); w.ignoring.copyFrom(this.ignoring); w.mask.copyFrom(this.mask);
    w.caught.copyFrom(this.caught); w.catches.copyFrom(this.catches); w.queued.copyFrom(this.queued);
    w.caughtQueued.copyFrom(this.caughtQueued);
    w.firstChild.copyFrom(this.firstChild); w.lastChild.copyFrom(this.lastChild);
    w.nextSibling.copyFrom(this.nextSibling); w.prevSibling.copyFrom(this.prevSibling);
    w.children.copyFrom(this.children); w.zombies.copyFrom(this.zombies);
    w.handled = this.handled; w.waited = this.waited; w.blocked = this.blocked;
    w.startIgnored = this.startIgnored; w.startBlocked = this.startBlocked;
    w.main = this.main; w.depth = this.depth; w.nsDead = this.nsDead; w.steps = this.steps;
    w.init = this.init; w.program = this.program; w.execOutcome = this.execOutcome; w.group = this.group;
    w.programReaped = this.programReaped; w.zombiesAtExit = this.zombiesAtExit;
    for (let i = 0; i < 8; i++) w.expect[i] = this.expect[i];
    for (let i = 0; i <= SIGNAL_LAST; i++) w.forwardCount[i] = this.forwardCount[i];
    for (let i = 0; i < MAX_FRAMES; i++) {
      w.frameEvent[i] = this.frameEvent[i]; w.frameSig[i] = this.frameSig[i];
      w.framePc[i] = this.framePc[i]; w.frameHandler[i] = this.frameHandler[i];
    }
    return w;
  }
}

// Destroyed worlds, cleared and reused so that create() and clone() need no
// allocation once the module is warm. At most MAX_SPARE are kept.
const spare = new Array<World>(0);
const MAX_SPARE: i32 = 16;

// A world as new World() makes it: a spare one if there is one.
export function freshWorld(): World {
  if (spare.length == 0) return new World();
  const w = spare.pop();
  w.clear();
  return w;
}

// A world nobody uses any more: kept for freshWorld() while there is room.
export function recycle(w: World): void {
  if (spare.length < MAX_SPARE) spare.push(w);
}
