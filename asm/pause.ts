// The model: native/pause.c in both signal designs, as a state machine, and
// the part of the Linux kernel it relies on (../shared/SEMANTICS.md and the
// scenario rules). Same names as the C file: states WAITING, REAPING, EXITED;
// events EVENT_SHUTDOWN, EVENT_CHILD; onShutdown and onChild.
//
// Many independent worlds live in one module instance; a world is a process
// table (slot 0 = outside, the runner; slot 1 = pause; named processes from 2)
// plus pause's program state. Every atomic action of pause (delivering one
// signal, taking one from the wait, one waitpid(), returning from a handler,
// writing its message, exiting) is one step(), so the host can put external
// events between any two of them. pause's stderr goes to WASI fd 2, byte for
// byte what the native program writes. No clock and no randomness anywhere.

// ---------------------------------------------------------------------------
// Constants and tables
// ---------------------------------------------------------------------------

/** Designs, as the DESIGN_* macros of pause.c. */
export const DESIGN_SIGWAIT: i32 = 0;
export const DESIGN_HANDLERS: i32 = 1;

/** Mutants, as the MUTANT_* macros of pause.c (0 = the real program). */
export const MUTANT_NONE: i32 = 0;
export const MUTANT_REAP_ONCE: i32 = 1;
export const MUTANT_NO_CHLD: i32 = 2;
export const MUTANT_NO_TERM: i32 = 3;
export const MUTANT_WRONG_CODE: i32 = 4;
export const MUTANT_REAP_ECHILD: i32 = 5;

/** pause's states, as in pause.c. */
export const WAITING: i32 = 0;
export const REAPING: i32 = 1;
export const EXITED: i32 = 2;
/** Between EVENT_SHUTDOWN's write() and its _exit() (pause.c: on_shutdown). */
export const SHUTTING_DOWN: i32 = 3;

/** pause's events, as in pause.c. */
export const EVENT_SHUTDOWN: i32 = 1;
export const EVENT_CHILD: i32 = 2;

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

/** Error results (negative), one per thing a caller can get wrong. */
export const ERR_TABLE_FULL: i32 = -1;
export const ERR_NO_SUCH_PROCESS: i32 = -2;
export const ERR_NOT_RUNNING: i32 = -3;
export const ERR_NAMESPACE_GONE: i32 = -4;
export const ERR_BAD_SIGNAL: i32 = -5;
export const ERR_NO_SUCH_WORLD: i32 = -6;
export const ERR_BAD_ARGUMENT: i32 = -7;

/** settle() result when its bound is hit: pause never blocks. */
export const LIVELOCK: i32 = -100;

// Signal numbers (x86-64).
const SIGINT: i32 = 2;
const SIGKILL: i32 = 9;
const SIGTERM: i32 = 15;
const SIGCHLD: i32 = 17;
const SIGCONT: i32 = 18;
const SIGSTOP: i32 = 19;

function bit(sig: i32): u32 {
  return (<u32>1) << <u32>sig;
}

// Default action "ignore" (kernel SIG_KERNEL_IGNORE_MASK).
const IGNORE_MASK: u32 = bit(SIGCONT) | bit(SIGCHLD) | bit(23) /* URG */ | bit(28) /* WINCH */;
// Default action "stop" (SIG_KERNEL_STOP_MASK).
const STOP_MASK: u32 = bit(SIGSTOP) | bit(20) | bit(21) | bit(22);
// Default action "core dump": stays pending on a stopped process.
const COREDUMP_MASK: u32 = bit(3) | bit(4) | bit(5) | bit(6) | bit(7) | bit(8) | bit(11) |
  bit(24) | bit(25) | bit(31);
// Taken first by next_signal() (kernel/signal.c SYNCHRONOUS_MASK).
const SYNCHRONOUS_MASK: u32 = bit(11) | bit(7) | bit(4) | bit(5) | bit(8) | bit(31);

// What psignal(sig, "Shutting down, got signal") prints.
const MESSAGE_INTERRUPT = "Shutting down, got signal: Interrupt\n";
const MESSAGE_TERMINATED = "Shutting down, got signal: Terminated\n";
const MESSAGE_NOT_PID1 = "Warning: pause should be the first process\n";

// pause's exit code on SIGINT/SIGTERM (EXIT_SHUTDOWN in pause.c).
const EXIT_OK: i32 = 0;
const EXIT_WRONG: i32 = 1;

// Handler frame program counters.
const PC_CALL: i32 = 0;   // EVENT_SHUTDOWN: write(); EVENT_CHILD: waitpid()
const PC_EXIT: i32 = 1;   // EVENT_SHUTDOWN: _exit()
const PC_RETURN: i32 = 2; // a handler returns (rt_sigreturn)

// The handlers design's main loop: for (;;) pause();
const MAIN_IN_PAUSE: i32 = 0;   // asleep in pause()
const MAIN_RETURNED: i32 = 1;   // pause() returned -1/EINTR after a handler

const MAX_FRAMES: i32 = 8;

// ---------------------------------------------------------------------------
// A world: the process table and pause
// ---------------------------------------------------------------------------

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

class World {
  design: i32 = 0;
  mutant: i32 = 0;
  pid1: bool = true;
  count: i32 = 2;          // slots in use (outside, pause, named...)
  childSeq: i32 = 0;       // order of each parent's children list

  state: Column<i32> = new Column<i32>();
  parent: Column<i32> = new Column<i32>();
  subreaper: Column<bool> = new Column<bool>();
  reaps: Column<bool> = new Column<bool>();
  pending: Column<u32> = new Column<u32>();
  seq: Column<i32> = new Column<i32>();       // position in the parent's children list
  exitCode: Column<i32> = new Column<i32>();  // -1 if killed
  exitSignal: Column<i32> = new Column<i32>();
  reapCount: Column<i32> = new Column<i32>();
  reapedBy: Column<i32> = new Column<i32>();

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

  // pause's program
  handled: u32 = 0;   // signals with a handler (handlers design)
  waited: u32 = 0;    // signals taken by sigwait (sigwait design)
  blocked: u32 = 0;   // current signal mask
  main: i32 = MAIN_IN_PAUSE;
  frameEvent: StaticArray<i32> = new StaticArray<i32>(MAX_FRAMES);
  frameSig: StaticArray<i32> = new StaticArray<i32>(MAX_FRAMES);
  framePc: StaticArray<i32> = new StaticArray<i32>(MAX_FRAMES);
  frameHandler: StaticArray<bool> = new StaticArray<bool>(MAX_FRAMES);
  depth: i32 = 0;
  nsDead: bool = false; // pid1 mode: pause has exited, the namespace is gone
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
    this.reapCount.clear(); this.reapedBy.clear();
    this.firstChild.clear(); this.lastChild.clear();
    this.nextSibling.clear(); this.prevSibling.clear();
    this.children.clear(); this.zombies.clear();
    this.handled = 0; this.waited = 0; this.blocked = 0;
    this.main = MAIN_IN_PAUSE; this.depth = 0; this.nsDead = false; this.steps = 0;
    for (let i = 0; i < MAX_FRAMES; i++) {
      this.frameEvent[i] = 0; this.frameSig[i] = 0;
      this.framePc[i] = 0; this.frameHandler[i] = false;
    }
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
    w.firstChild.copyFrom(this.firstChild); w.lastChild.copyFrom(this.lastChild);
    w.nextSibling.copyFrom(this.nextSibling); w.prevSibling.copyFrom(this.prevSibling);
    w.children.copyFrom(this.children); w.zombies.copyFrom(this.zombies);
    w.handled = this.handled; w.waited = this.waited; w.blocked = this.blocked;
    w.main = this.main; w.depth = this.depth; w.nsDead = this.nsDead; w.steps = this.steps;
    for (let i = 0; i < MAX_FRAMES; i++) {
      w.frameEvent[i] = this.frameEvent[i]; w.frameSig[i] = this.frameSig[i];
      w.framePc[i] = this.framePc[i]; w.frameHandler[i] = this.frameHandler[i];
    }
    return w;
  }

  addSlot(parent: i32, reaps: bool): i32 {
    const pid = this.state.length;
    this.state.push(RUNNING); this.parent.push(parent); this.subreaper.push(false);
    this.reaps.push(reaps); this.pending.push(0); this.seq.push(this.childSeq++);
    this.exitCode.push(-1); this.exitSignal.push(0); this.reapCount.push(0);
    this.reapedBy.push(-1);
    this.firstChild.push(-1); this.lastChild.push(-1);
    this.nextSibling.push(-1); this.prevSibling.push(-1);
    this.children.push(0); this.zombies.push(0);
    this.count = this.state.length;
    if (parent >= 0) linkChild(this, pid);
    return pid;
  }
}

const worlds = new Array<World | null>(0);

// Destroyed worlds, cleared and reused so that create() and clone() need no
// allocation once the module is warm. At most MAX_SPARE are kept.
const spare = new Array<World>(0);
const MAX_SPARE: i32 = 16;

// A world as new World() makes it: a spare one if there is one.
function freshWorld(): World {
  if (spare.length == 0) return new World();
  const w = spare.pop();
  w.clear();
  return w;
}


function world(id: i32): World | null {
  if (id < 0 || id >= worlds.length) return null;
  return worlds[id];
}

function storeWorld(w: World): i32 {
  for (let i = 0; i < worlds.length; i++) {
    if (worlds[i] === null) { worlds[i] = w; return i; }
  }
  worlds.push(w);
  return worlds.length - 1;
}

// ---------------------------------------------------------------------------
// Kernel helpers
// ---------------------------------------------------------------------------

// Namespace level: 1 inside pause's PID namespace, 0 outside it.
@inline function level(w: World, pid: i32): i32 {
  if (pid == OUTSIDE || !w.pid1) return 0;
  return 1;
}

@inline function alive(w: World, pid: i32): bool {
  const s = w.state[pid];
  return s == RUNNING || s == STOPPED;
}

// next_signal(): synchronous signals first, then the lowest-numbered.
function nextSignal(set: u32): i32 {
  let x = set;
  if (x & SYNCHRONOUS_MASK) x &= SYNCHRONOUS_MASK;
  return <i32>ctz(x);
}

// The handler a process has for sig: only pause installs any.
function hasHandler(w: World, pid: i32, sig: i32): bool {
  return pid == PAUSE && (w.handled & bit(sig)) != 0;
}

function isBlocked(w: World, pid: i32, sig: i32): bool {
  return pid == PAUSE && (w.blocked & bit(sig)) != 0;
}

// Default action kills (sig_fatal).
function fatalByDefault(sig: i32): bool {
  return (bit(sig) & (IGNORE_MASK | STOP_MASK)) == 0;
}

// sig_ignored(): dropped at send time. Blocked signals never are; the
// namespace init drops what it has no handler for unless SIGKILL/SIGSTOP
// come from an ancestor namespace (rule 7).
function ignoredAtSend(w: World, pid: i32, sig: i32, force: bool): bool {
  if (isBlocked(w, pid, sig)) return false;
  if (hasHandler(w, pid, sig)) return false;
  if (pid == PAUSE && w.pid1 && !(force && (sig == SIGKILL || sig == SIGSTOP))) return true;
  return (bit(sig) & IGNORE_MASK) != 0;
}

// The nearest living subreaper ancestor in the same namespace, else the
// namespace's init (rule 8; kernel/exit.c find_new_reaper). In plain mode
// the runner (outside, a subreaper) is every chain's top.
function findReaper(w: World, pid: i32): i32 {
  const lv = level(w, pid);
  let r = w.parent[pid];
  let bound = w.count + 1;
  while (r >= 0 && level(w, r) == lv && bound-- > 0) {
    if (w.subreaper[r] && alive(w, r)) return r;
    r = w.parent[r];
  }
  return lv == 1 ? PAUSE : OUTSIDE;
}

// Appends child at the tail of its parent's children list (fork, adoption:
// its seq is the newest, so the list stays in seq order).
function linkChild(w: World, child: i32): void {
  const p = w.parent[child];
  const last = w.lastChild[p];
  w.prevSibling[child] = last;
  w.nextSibling[child] = -1;
  if (last < 0) w.firstChild[p] = child;
  else w.nextSibling[last] = child;
  w.lastChild[p] = child;
  w.children[p] += 1;
  if (w.state[child] == ZOMBIE) w.zombies[p] += 1;
}

// Takes child out of its parent's children list (reaped, or moving to a
// new reaper); its parent field is left for the caller.
function unlinkChild(w: World, child: i32): void {
  const p = w.parent[child];
  const prev = w.prevSibling[child];
  const next = w.nextSibling[child];
  if (prev < 0) w.firstChild[p] = next;
  else w.nextSibling[prev] = next;
  if (next < 0) w.lastChild[p] = prev;
  else w.prevSibling[next] = prev;
  w.prevSibling[child] = -1;
  w.nextSibling[child] = -1;
  w.children[p] -= 1;
  if (w.state[child] == ZOMBIE) w.zombies[p] -= 1;
  assert(w.children[p] >= 0 && w.zombies[p] >= 0 && w.zombies[p] <= w.children[p], "pause: children list counts");
}

// A living process turns zombie: its parent's list now holds one more.
function becomeZombie(w: World, pid: i32): void {
  w.state[pid] = ZOMBIE;
  const p = w.parent[pid];
  if (p >= 0) w.zombies[p] += 1;
}

function reap(w: World, child: i32, by: i32): void {
  assert(w.state[child] == ZOMBIE && w.parent[child] == by, "pause: reaping a zombie of someone else");
  unlinkChild(w, child);
  w.state[child] = GONE;
  w.reapCount[child] += 1;
  w.reapedBy[child] = by;
  w.parent[child] = -1;
}

// A named process that reaps takes every zombie child it has, in the order
// of its children list, as soon as it runs.
function reapAllOf(w: World, pid: i32): void {
  for (;;) {
    const z = firstZombieChild(w, pid);
    if (z < 0) return;
    reap(w, z, pid);
  }
}

// The first zombie in pid's children list, -1 if it has none.
function firstZombieChild(w: World, pid: i32): i32 {
  if (w.zombies[pid] == 0) return -1;
  let c = w.firstChild[pid];
  for (let bound = w.count; c >= 0 && bound > 0; bound--) {
    if (w.state[c] == ZOMBIE) return c;
    c = w.nextSibling[c];
  }
  assert(false, "pause: zombie count without a zombie in the children list");
  return -1;
}

// do_notify_parent(): a child is a zombie; its parent hears SIGCHLD. The
// runner reaps at once; a named reaper reaps when it runs.
function notifyParent(w: World, child: i32): void {
  const p = w.parent[child];
  if (p == OUTSIDE) { reap(w, child, OUTSIDE); return; }
  if (p == PAUSE) {
    if (alive(w, PAUSE)) send(w, PAUSE, SIGCHLD, false);
    return;
  }
  if (w.reaps[p] && w.state[p] == RUNNING) reapAllOf(w, p);
}

// A process ends (exit code, or signal when code < 0): its children move to
// their new reaper (zombies among them notify it, rule 9), it becomes a
// zombie and its parent is told. pause as namespace init takes the whole
// namespace with it (rule 10).
function die(w: World, pid: i32, code: i32, sig: i32): void {
  if (!alive(w, pid)) return;
  w.exitCode[pid] = code;
  w.exitSignal[pid] = sig;
  w.pending[pid] = 0;
  if (pid == PAUSE) {
    // Dead first: nothing may signal an exiting init.
    becomeZombie(w, pid);
    w.depth = 0;
    if (w.pid1) zapNamespace(w);
  } else {
    // exit_notify(): the children move before the process turns zombie.
    reparentChildren(w, pid);
    becomeZombie(w, pid);
  }
  notifyParent(w, pid);
}

function reparentChildren(w: World, pid: i32): void {
  const reaper = findReaper(w, pid);
  // Move in children-list order; each joins the tail of the reaper's list.
  for (let bound = w.count; bound > 0; bound--) {
    const next = w.firstChild[pid];
    if (next < 0) break;
    unlinkChild(w, next);
    w.parent[next] = reaper;
    w.seq[next] = w.childSeq++;
    linkChild(w, next);
    if (w.state[next] == ZOMBIE) notifyParent(w, next);
  }
  assert(w.firstChild[pid] < 0, "pause: children left behind by reparenting");
}

// zap_pid_ns_processes(): SIGKILL to every process of the namespace, and the
// exiting init reaps its own children until none is left.
function zapNamespace(w: World): void {
  w.nsDead = true;
  for (let i = 2; i < w.count; i++) {
    if (level(w, i) == 1 && alive(w, i)) die(w, i, -1, SIGKILL);
  }
  for (;;) {
    const z = firstZombieChild(w, PAUSE);
    if (z < 0) break;
    reap(w, z, PAUSE);
  }
}

// A named process acts on its pending signals at once when it runs:
// SIGSTOP stops it, a fatal one kills it, an ignored one vanishes.
function handleNamed(w: World, pid: i32): void {
  while (w.state[pid] == RUNNING && w.pending[pid] != 0) {
    const sig = nextSignal(w.pending[pid]);
    w.pending[pid] &= ~bit(sig);
    if (sig == SIGSTOP) { w.state[pid] = STOPPED; return; }
    if (fatalByDefault(sig)) { die(w, pid, -1, sig); return; }
  }
  if (w.state[pid] == RUNNING && w.reaps[pid]) reapAllOf(w, pid);
}

// __send_signal(): prepare_signal (SIGCONT resumes, SIGSTOP cancels a
// pending SIGCONT and the other way round), drop if ignored, coalesce
// (rule 1), and complete_signal: a fatal signal that does not dump core
// kills at once. A stopped process does not "want" any signal but SIGKILL
// (wants_signal()), so there every other fatal signal waits for SIGCONT;
// measured on the kernel, e.g. SIGINT or SIGPIPE to a stopped process.
function send(w: World, pid: i32, sig: i32, force: bool): void {
  if (!alive(w, pid)) return;
  if (sig == SIGSTOP) w.pending[pid] &= ~bit(SIGCONT);
  if (sig == SIGCONT) {
    w.pending[pid] &= ~STOP_MASK;
    if (w.state[pid] == STOPPED) w.state[pid] = RUNNING;
  }
  if (!ignoredAtSend(w, pid, sig, force)) {
    w.pending[pid] |= bit(sig);
    const stopped = w.state[pid] == STOPPED;
    if (!isBlocked(w, pid, sig) && !hasHandler(w, pid, sig) && fatalByDefault(sig) &&
      (sig == SIGKILL || (!stopped && (bit(sig) & COREDUMP_MASK) == 0))) {
      die(w, pid, -1, sig);
      return;
    }
  }
  if (pid != PAUSE) handleNamed(w, pid);
}

// waitpid(-1, NULL, WNOHANG) by pause: a zombie's slot (and reap it), 0 if
// children live but none is dead, -1 (ECHILD) if there are none (rule 5).
function waitpidAnyNohang(w: World): i32 {
  const z = firstZombieChild(w, PAUSE);
  if (z >= 0) { reap(w, z, PAUSE); return z; }
  // No zombie is left in the list: whatever is in it lives.
  return w.children[PAUSE] > w.zombies[PAUSE] ? 0 : -1;
}

// ---------------------------------------------------------------------------
// pause's program (pause.c, both designs)
// ---------------------------------------------------------------------------

let messagesWritten: i32 = 0;

function say(message: string): void {
  process.stderr.write(message);
  messagesWritten++;
}

function push(w: World, event: i32, sig: i32, handler: bool): void {
  assert(w.depth < MAX_FRAMES, "pause: handler frames overflow");
  w.frameEvent[w.depth] = event;
  w.frameSig[w.depth] = sig;
  w.framePc[w.depth] = PC_CALL;
  w.frameHandler[w.depth] = handler;
  w.depth++;
}

// EVENT_SHUTDOWN, one action per call: write the message, then _exit().
function onShutdown(w: World, top: i32): void {
  if (w.framePc[top] == PC_CALL) {
    say(w.frameSig[top] == SIGINT ? MESSAGE_INTERRUPT : MESSAGE_TERMINATED);
    w.framePc[top] = PC_EXIT;
    return;
  }
  die(w, PAUSE, w.mutant == MUTANT_WRONG_CODE ? EXIT_WRONG : EXIT_OK, 0);
}

// EVENT_CHILD, one waitpid() per call: reap until waitpid() says no zombie
// is left; a handler then returns in a step of its own.
function onChild(w: World, top: i32): void {
  if (w.framePc[top] == PC_RETURN) {
    w.blocked &= ~bit(w.frameSig[top]);
    w.depth--;
    if (w.depth == 0) w.main = MAIN_RETURNED;
    return;
  }
  const r = waitpidAnyNohang(w);
  let again = r > 0;
  if (w.mutant == MUTANT_REAP_ONCE) again = false;
  if (w.mutant == MUTANT_REAP_ECHILD) again = r >= 0;
  if (again) return;
  if (w.frameHandler[top]) w.framePc[top] = PC_RETURN;
  else w.depth--;
}

// One atomic action of pause; false when it is blocked (or gone, or stopped).
function pauseStep(w: World): bool {
  if (w.state[PAUSE] != RUNNING) return false;
  // The kernel delivers every unblocked pending signal before user code
  // runs again, each new handler frame on top of the last (rule 3).
  const deliverable = w.pending[PAUSE] & ~w.blocked;
  if (deliverable != 0) {
    const sig = nextSignal(deliverable);
    w.pending[PAUSE] &= ~bit(sig);
    w.steps++;
    if (w.handled & bit(sig)) {
      push(w, sig == SIGCHLD ? EVENT_CHILD : EVENT_SHUTDOWN, sig, true);
      w.blocked |= bit(sig);
    } else if (sig == SIGSTOP) {
      w.state[PAUSE] = STOPPED;
    } else if (fatalByDefault(sig) && (!w.pid1 || sig == SIGKILL)) {
      die(w, PAUSE, -1, sig);
    }
    return true;
  }
  if (w.depth > 0) {
    const top = w.depth - 1;
    w.steps++;
    if (w.frameEvent[top] == EVENT_SHUTDOWN) onShutdown(w, top);
    else onChild(w, top);
    return true;
  }
  if (w.design == DESIGN_HANDLERS) {
    // pause() returned after a handler (rule 4): call it again.
    if (w.main == MAIN_RETURNED) { w.main = MAIN_IN_PAUSE; w.steps++; return true; }
    return false;
  }
  // sigwait design: take the lowest-numbered waited signal.
  const ready = w.pending[PAUSE] & w.waited;
  if (ready == 0) return false;
  const sig = <i32>ctz(ready);
  w.pending[PAUSE] &= ~bit(sig);
  w.steps++;
  push(w, sig == SIGCHLD ? EVENT_CHILD : EVENT_SHUTDOWN, sig, false);
  return true;
}

// ---------------------------------------------------------------------------
// Exported API: flat, numbers only; results come back through getters.
// ---------------------------------------------------------------------------

/** A new world: pause just started (and set up) with the given design and mutant. */
export function create(design: i32, mutant: i32, pid1: bool): i32 {
  if (design != DESIGN_SIGWAIT && design != DESIGN_HANDLERS) return ERR_BAD_ARGUMENT;
  if (mutant < MUTANT_NONE || mutant > MUTANT_REAP_ECHILD) return ERR_BAD_ARGUMENT;
  const w = freshWorld();
  w.design = design; w.mutant = mutant; w.pid1 = pid1;
  w.addSlot(-1, true);                   // outside: the runner
  w.addSlot(OUTSIDE, false);             // pause
  w.subreaper[OUTSIDE] = true;
  let taken = bit(SIGINT);
  if (mutant != MUTANT_NO_TERM) taken |= bit(SIGTERM);
  if (mutant != MUTANT_NO_CHLD) taken |= bit(SIGCHLD);
  if (design == DESIGN_HANDLERS) w.handled = taken;
  else { w.waited = taken; w.blocked = taken; }
  if (!pid1) say(MESSAGE_NOT_PID1);
  return storeWorld(w);
}

/** Frees a world. */
export function destroy(id: i32): void {
  const w = world(id);
  if (w === null) return;
  worlds[id] = null;
  if (spare.length < MAX_SPARE) spare.push(w);
}

/** An independent copy of a world (for exploring interleavings). */
export function clone(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  return storeWorld(w.copy());
}

function checkActor(w: World, pid: i32): i32 {
  if (pid < 0 || pid >= w.count || pid == PAUSE) return ERR_NO_SUCH_PROCESS;
  if (pid != OUTSIDE && w.state[pid] != RUNNING) return ERR_NOT_RUNNING;
  return 0;
}

/** parent forks a new process (parent OUTSIDE: the runner starts it). Its slot, or an error. */
export function spawn(id: i32, parent: i32, reaps: bool): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  const bad = checkActor(w, parent);
  if (bad < 0) return bad;
  if (w.pid1 && w.nsDead) return ERR_NAMESPACE_GONE;
  if (w.count - 2 >= MAX_PROCESSES) return ERR_TABLE_FULL;
  return w.addSlot(parent, reaps);
}

/** The process calls _exit(code). */
export function exitProcess(id: i32, pid: i32, code: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid == OUTSIDE) return ERR_NO_SUCH_PROCESS;
  const bad = checkActor(w, pid);
  if (bad < 0) return bad;
  if (code < 0 || code > 255) return ERR_BAD_ARGUMENT;
  die(w, pid, code, 0);
  return 0;
}

/** from calls kill(target, sig); from OUTSIDE is the runner (an ancestor namespace in pid1 mode). */
export function kill(id: i32, from: i32, target: i32, sig: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  const bad = checkActor(w, from);
  if (bad < 0) return bad;
  if (target <= OUTSIDE || target >= w.count) return ERR_NO_SUCH_PROCESS;
  if (sig < 1 || sig > 31) return ERR_BAD_SIGNAL;
  const force = from == OUTSIDE && w.pid1;
  send(w, target, sig, force);
  return 0;
}

/** The process calls prctl(PR_SET_CHILD_SUBREAPER, 1). */
export function makeSubreaper(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid == OUTSIDE) return ERR_NO_SUCH_PROCESS;
  const bad = checkActor(w, pid);
  if (bad < 0) return bad;
  w.subreaper[pid] = true;
  return 0;
}

/** One atomic action of pause: 1 if it did something, 0 if it is blocked. */
export function step(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  return pauseStep(w) ? 1 : 0;
}

/** The most steps a settle may take before it is a livelock. */
export function settleBound(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  return 64 + 4 * w.count;
}

/** Steps until pause blocks, stops or exits: the steps taken, or LIVELOCK. */
export function settle(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  const bound = 64 + 4 * w.count;
  let n = 0;
  while (pauseStep(w)) {
    if (++n >= bound) return LIVELOCK;
  }
  return n;
}

/** Slots in use (outside and pause included). */
export function processCount(id: i32): i32 {
  const w = world(id);
  return w === null ? ERR_NO_SUCH_WORLD : w.count;
}

/** FREE, RUNNING, STOPPED, ZOMBIE or GONE. */
export function processState(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  return w.state[pid];
}

/** The parent's slot, -1 once reaped. */
export function processParent(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  return w.parent[pid];
}

/** Whether the process called PR_SET_CHILD_SUBREAPER. */
export function processSubreaper(id: i32, pid: i32): bool {
  const w = world(id);
  return w !== null && pid >= 0 && pid < w.count && w.subreaper[pid];
}

/** Exit code of a dead process; -1 if a signal killed it. */
export function processExitCode(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  return w.exitCode[pid];
}

/** The signal that killed a dead process, 0 if it exited. */
export function processExitSignal(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  return w.exitSignal[pid];
}

/** How many times the process was reaped (must end at 1 for every dead one). */
export function processReapCount(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  return w.reapCount[pid];
}

/** Who reaped it (a slot), -1 if nobody yet. */
export function processReapedBy(id: i32, pid: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  return w.reapedBy[pid];
}

/** Pending signal set of a process (bit n = signal n). */
export function processPending(id: i32, pid: i32): u32 {
  const w = world(id);
  if (w === null || pid < 0 || pid >= w.count) return 0;
  return w.pending[pid];
}

/** pause's state as in pause.c: WAITING, REAPING, SHUTTING_DOWN or EXITED. */
export function pausePhase(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (!alive(w, PAUSE)) return EXITED;
  if (w.depth == 0) return WAITING;
  return w.frameEvent[w.depth - 1] == EVENT_CHILD ? REAPING : SHUTTING_DOWN;
}

/** Handler frames on pause's stack (the handlers design only stacks them). */
export function pauseDepth(id: i32): i32 {
  const w = world(id);
  return w === null ? ERR_NO_SUCH_WORLD : w.depth;
}

/** pause's steps taken so far. */
export function pauseSteps(id: i32): i32 {
  const w = world(id);
  return w === null ? ERR_NO_SUCH_WORLD : w.steps;
}

// A world's whole state as numbers, for telling explored states apart.
const keyBuffer = new Array<i32>(0);

/** Writes the world's state key; returns its length (read it with keyWord). */
export function stateKey(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  keyBuffer.length = 0;
  keyBuffer.push(w.count); keyBuffer.push(<i32>w.blocked); keyBuffer.push(w.main);
  keyBuffer.push(w.nsDead ? 1 : 0); keyBuffer.push(w.depth);
  for (let i = 0; i < w.depth; i++) {
    keyBuffer.push(w.frameEvent[i] | (w.frameSig[i] << 4) | (w.framePc[i] << 12) |
      ((w.frameHandler[i] ? 1 : 0) << 16));
  }
  for (let i = 0; i < w.count; i++) {
    keyBuffer.push(w.state[i] | ((w.subreaper[i] ? 1 : 0) << 4) | ((w.reaps[i] ? 1 : 0) << 5) |
      ((w.exitSignal[i] & 0xff) << 8) | ((w.exitCode[i] & 0xffff) << 16));
    keyBuffer.push(w.parent[i]);
    keyBuffer.push(<i32>w.pending[i]);
    keyBuffer.push(w.seq[i]);
    keyBuffer.push(w.reapCount[i] | (w.reapedBy[i] << 8));
  }
  return keyBuffer.length;
}

/** Lines written to fd 2 so far, by every world (the host drains fd 2 when this moves). */
export function messages(): i32 {
  return messagesWritten;
}

/** Word i of the last stateKey(). */
export function keyWord(i: i32): i32 {
  return i >= 0 && i < keyBuffer.length ? keyBuffer[i] : 0;
}
