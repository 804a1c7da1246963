// The kernel's invariants, checked inside the model after every atomic
// action (each pause step, each event the host applies) in the debug build
// only: asconfig.json's debug target defines CHECK_INVARIANTS, and without
// it CHECKING is false at compile time, so the release build carries none
// of this (../index.ts calls checkWorld() behind `if (CHECKING)`).
//
// A broken invariant aborts the module with one line naming it, the action
// it broke after, the slot and the values; the host turns the abort into a
// PausekitError with that line. src/check/invariants.ts checks the
// properties a user sees, from outside; these are the table's own rules.
import { World, MAX_FRAMES, OUTSIDE, PAUSE, RT_SLOTS, RUNNING, STOPPED, ZOMBIE, GONE } from "./world";
import { FIRST_QUEUED, RESERVED_MASK, RT_QUEUE_MAX, SIGKILL, SIGNAL_LAST, SIGSTOP, bit, validSignal } from "./sigset";

/** Whether this build checks its invariants (the debug target's CHECK_INVARIANTS). */
export const CHECKING: bool = isDefined(CHECK_INVARIANTS);

// The C library's 32 and 33: no signal set may hold them.
const NO_SIGNAL_BITS: u64 = RESERVED_MASK;
// Signals nobody can catch, ignore or block.
const UNCATCHABLE: u64 = bit(SIGKILL) | bit(SIGSTOP);

// Frame events (../pause.ts EVENT_*): 1..3.
const FIRST_EVENT: i32 = 1;
const LAST_EVENT: i32 = 3;

/** The actions checkWorld() runs after (numbers, so the release build keeps no string of them). */
export const AFTER_CREATE: i32 = 0;
export const AFTER_SPAWN: i32 = 1;
export const AFTER_EXIT: i32 = 2;
export const AFTER_KILL: i32 = 3;
export const AFTER_SUBREAPER: i32 = 4;
export const AFTER_DISPOSITION: i32 = 5;
export const AFTER_STEP: i32 = 6;

function actionName(action: i32): string {
  switch (action) {
    case AFTER_CREATE: return "create";
    case AFTER_SPAWN: return "spawn";
    case AFTER_EXIT: return "exitProcess";
    case AFTER_KILL: return "kill";
    case AFTER_SUBREAPER: return "makeSubreaper";
    case AFTER_DISPOSITION: return "disposition";
    default: return "a pause step";
  }
}

// A broken invariant: the module aborts with one line.
function broken(invariant: string, action: i32, slot: i32, values: string): void {
  throw new Error("invariant '" + invariant + "' broken after " + actionName(action) + ": slot " + slot.toString() + ": " + values);
}

@inline function alive(state: i32): bool {
  return state == RUNNING || state == STOPPED;
}

// Which slots the children lists have visited in this check: a slot is
// visited when seen[slot] == stamp (a new stamp per check, no clearing).
@lazy let seen = new StaticArray<i32>(0);
@lazy let stamp: i32 = 0;

function startVisits(count: i32): void {
  if (seen.length < count) seen = new StaticArray<i32>(count * 2);
  stamp++;
}

// A test hook (../debug.ts): the next check first breaks the world this
// way, so a test can see the check fire. 0: nothing.
@lazy let corruptNext: i32 = 0;
export const CORRUPT_TWO_LISTS: i32 = 1;    // a child also linked into another list
export const CORRUPT_ZOMBIE_COUNT: i32 = 2; // a parent's zombie count off by one
export const CORRUPT_PENDING: i32 = 3;      // signal 32, the C library's, pending
export const CORRUPT_ORPHAN: i32 = 4;       // the newest process's parent: a gone one
export const CORRUPT_FRAMES: i32 = 5;       // more handler frames than MAX_FRAMES
export const CORRUPT_LAST: i32 = 5;

/** The next check first breaks its world the way how says (CORRUPT_*). */
export function corruptAtNextCheck(how: i32): void {
  corruptNext = how;
}

function corrupt(w: World, how: i32): void {
  const last = w.count - 1;
  if (how == CORRUPT_TWO_LISTS) {
    // The newest process also becomes pause's first child.
    w.nextSibling[last] = w.firstChild[PAUSE];
    w.firstChild[PAUSE] = last;
  } else if (how == CORRUPT_ZOMBIE_COUNT) {
    w.zombies[PAUSE] += 1;
  } else if (how == CORRUPT_PENDING) {
    w.pending[last] |= bit(32);
  } else if (how == CORRUPT_ORPHAN) {
    for (let g = last - 1; g > PAUSE; g--) {
      if (w.state[g] == GONE) { w.parent[last] = g; break; }
    }
  } else if (how == CORRUPT_FRAMES) {
    w.depth = MAX_FRAMES + 1;
  }
}

/** Checks run so far, in every world (../debug.ts reads it). */
@lazy export let checksRun: i32 = 0;

/** Checks every invariant of w after action (AFTER_*); allocates nothing while they hold. */
export function checkWorld(w: World, action: i32): void {
  checksRun++;
  if (corruptNext != 0) {
    corrupt(w, corruptNext);
    corruptNext = 0;
  }
  checkColumns(w, action);
  checkProcesses(w, action);
  checkLists(w, action);
  checkPause(w, action);
}

// Every column has a value per slot; outside and pause are there.
function checkColumns(w: World, action: i32): void {
  const n = w.count;
  if (n < 2 || w.state.length != n || w.parent.length != n || w.subreaper.length != n || w.reaps.length != n ||
    w.pending.length != n || w.seq.length != n || w.exitCode.length != n || w.exitSignal.length != n ||
    w.reapCount.length != n || w.reapedBy.length != n || w.pgid.length != n || w.handlers.length != n ||
    w.ignoring.length != n || w.mask.length != n || w.caught.length != n || w.catches.length != n ||
    w.queued.length != n * RT_SLOTS || w.caughtQueued.length != n * RT_SLOTS ||
    w.firstChild.length != n || w.lastChild.length != n || w.nextSibling.length != n ||
    w.prevSibling.length != n || w.children.length != n || w.zombies.length != n) {
    broken("table columns", action, -1, "count " + n.toString() + ", state column " + w.state.length.toString());
  }
}

// Each slot on its own: a valid state, a parent that is older and alive (no
// orphan), the fields of the dead, the signal sets.
function checkProcesses(w: World, action: i32): void {
  if (w.state[OUTSIDE] != RUNNING || w.parent[OUTSIDE] != -1) {
    broken("outside runs, with no parent", action, OUTSIDE,
      "state " + w.state[OUTSIDE].toString() + ", parent " + w.parent[OUTSIDE].toString());
  }
  for (let i = 0; i < w.count; i++) {
    const s = w.state[i];
    if (s != RUNNING && s != STOPPED && s != ZOMBIE && s != GONE) {
      broken("state valid", action, i, "state " + s.toString());
    }
    const p = w.parent[i];
    if (s == GONE) {
      if (p != -1 || w.reapCount[i] != 1 || w.reapedBy[i] < 0 || w.reapedBy[i] >= w.count) {
        broken("a gone process was reaped once", action, i, "parent " + p.toString() + ", reapCount " +
          w.reapCount[i].toString() + ", reapedBy " + w.reapedBy[i].toString());
      }
    } else {
      if (w.reapCount[i] != 0 || w.reapedBy[i] != -1) {
        broken("only a gone process was reaped", action, i, "state " + s.toString() + ", reapCount " +
          w.reapCount[i].toString() + ", reapedBy " + w.reapedBy[i].toString());
      }
      if (i != OUTSIDE && (p < 0 || p >= i)) {
        broken("a parent is older than its child", action, i, "parent " + p.toString());
      }
      // Orphans are reparented when their parent exits, before it is a
      // zombie: every living or zombie process has a living parent.
      if (i != OUTSIDE && !alive(w.state[p])) {
        broken("no orphan without a living parent", action, i, "state " + s.toString() + ", parent " +
          p.toString() + " in state " + w.state[p].toString());
      }
    }
    if (alive(s)) {
      if (w.exitCode[i] != -1 || w.exitSignal[i] != 0) {
        broken("a living process has no exit status", action, i,
          "exitCode " + w.exitCode[i].toString() + ", exitSignal " + w.exitSignal[i].toString());
      }
    } else if (s == ZOMBIE || s == GONE) {
      const code = w.exitCode[i];
      const sig = w.exitSignal[i];
      if (!((sig == 0 && code >= 0 && code <= 255) || (code == -1 && validSignal(sig)))) {
        broken("a dead process has an exit code or a signal", action, i,
          "exitCode " + code.toString() + ", exitSignal " + sig.toString());
      }
      if (w.children[i] != 0 || w.firstChild[i] != -1) {
        broken("a dead process has no children (they were reparented)", action, i,
          "children " + w.children[i].toString() + ", firstChild " + w.firstChild[i].toString());
      }
    }
    checkSignals(w, action, i, s);
    if (w.pgid[i] < 0 || w.pgid[i] > i) {
      broken("a process group is led by an older slot", action, i, "pgid " + w.pgid[i].toString());
    }
  }
}

// Signal sets hold signals 1..64 but 32 and 33 only; the dead have none
// pending; a real-time signal is pending while it has deliveries queued,
// at most RT_QUEUE_MAX; nobody catches, ignores or blocks SIGKILL or
// SIGSTOP; a running named process has acted on every signal it does not
// block (it does so when it runs).
function checkSignals(w: World, action: i32, i: i32, s: i32): void {
  const pending = w.pending[i];
  if ((pending & NO_SIGNAL_BITS) != 0 || (!alive(s) && pending != 0)) {
    broken("pending signals are 1..64 but 32 and 33, none for the dead", action, i,
      "state " + s.toString() + ", pending 0x" + pending.toString(16));
  }
  for (let sig = FIRST_QUEUED; sig <= SIGNAL_LAST; sig++) {
    const n = <i32>w.queued[i * RT_SLOTS + sig - FIRST_QUEUED];
    if ((n > 0) != ((pending & bit(sig)) != 0) || n > RT_QUEUE_MAX) {
      broken("a real-time signal is pending while deliveries of it are queued", action, i,
        "signal " + sig.toString() + ": queued " + n.toString() + ", pending 0x" + pending.toString(16));
    }
  }
  const handlers = w.handlers[i];
  const ignoring = w.ignoring[i];
  const mask = w.mask[i];
  if (((handlers | ignoring | mask | w.caught[i]) & NO_SIGNAL_BITS) != 0 || (handlers & ignoring) != 0 ||
    ((handlers | ignoring | mask) & UNCATCHABLE) != 0) {
    broken("dispositions are 1..64 but 32 and 33, one per signal, never SIGKILL or SIGSTOP", action, i,
      "handlers 0x" + handlers.toString(16) + ", ignoring 0x" + ignoring.toString(16) + ", mask 0x" + mask.toString(16));
  }
  if (i > PAUSE && s == RUNNING && (pending & ~mask) != 0) {
    broken("a running process has acted on its unblocked signals", action, i,
      "pending 0x" + pending.toString(16) + ", mask 0x" + mask.toString(16));
  }
}

// Each children list: linked both ways, in seq order, its length and
// zombie count as recorded, every child's parent the list's owner; and
// every living or zombie process (but outside) in exactly one list.
function checkLists(w: World, action: i32): void {
  startVisits(w.count);
  let listed = 0;
  for (let p = 0; p < w.count; p++) {
    let length = 0;
    let zombies = 0;
    let prev = -1;
    let c = w.firstChild[p];
    while (c >= 0) {
      if (c >= w.count || unchecked(seen[c]) == stamp) {
        broken("a slot is in one children list at most", action, c, "met again in the list of " + p.toString());
      }
      unchecked(seen[c] = stamp);
      if (w.parent[c] != p || w.prevSibling[c] != prev || w.state[c] == GONE) {
        broken("a children list holds its owner's living or zombie children", action, c, "in the list of " +
          p.toString() + ": parent " + w.parent[c].toString() + ", prevSibling " + w.prevSibling[c].toString() +
          " (expected " + prev.toString() + "), state " + w.state[c].toString());
      }
      if (prev >= 0 && w.seq[prev] >= w.seq[c]) {
        broken("a children list is in seq order", action, c, "seq " + w.seq[c].toString() + " after " + w.seq[prev].toString());
      }
      if (w.state[c] == ZOMBIE) zombies++;
      length++;
      prev = c;
      c = w.nextSibling[c];
    }
    if (length != w.children[p] || zombies != w.zombies[p] || w.lastChild[p] != prev) {
      broken("a children list's counts match it", action, p, "children " + w.children[p].toString() + " (listed " +
        length.toString() + "), zombies " + w.zombies[p].toString() + " (listed " + zombies.toString() +
        "), lastChild " + w.lastChild[p].toString() + " (listed " + prev.toString() + ")");
    }
    listed += length;
  }
  for (let i = 1; i < w.count; i++) {
    if (w.state[i] != GONE && unchecked(seen[i]) != stamp) {
      broken("every living or zombie process is in its parent's children list", action, i,
        "parent " + w.parent[i].toString() + ", state " + w.state[i].toString());
    }
  }
}

// pause's own state: its signal sets, its stack of frames, and the
// namespace that ends with it.
function checkPause(w: World, action: i32): void {
  if (((w.blocked | w.handled | w.waited) & NO_SIGNAL_BITS) != 0 || ((w.blocked | w.handled) & UNCATCHABLE) != 0 ||
    (w.handled & w.ignoring[PAUSE]) != 0) {
    broken("pause's signal sets are 1..64 but 32 and 33, never SIGKILL or SIGSTOP; nothing both handled and ignored", action, PAUSE, "blocked 0x" +
      w.blocked.toString(16) + ", handled 0x" + w.handled.toString(16) + ", waited 0x" + w.waited.toString(16));
  }
  const depth = w.depth;
  if (depth < 0 || depth > MAX_FRAMES || (depth > 0 && !alive(w.state[PAUSE]))) {
    broken("handler frames within MAX_FRAMES, only while pause lives", action, PAUSE,
      "depth " + depth.toString() + " (MAX_FRAMES " + MAX_FRAMES.toString() + "), state " + w.state[PAUSE].toString());
  }
  let handlerSigs: u64 = 0;
  for (let f = 0; f < depth; f++) {
    const event = w.frameEvent[f];
    const sig = w.frameSig[f];
    if (event < FIRST_EVENT || event > LAST_EVENT || !validSignal(sig)) {
      broken("a frame is an event for a signal 1..64 but 32 and 33", action, PAUSE,
        "frame " + f.toString() + ": event " + event.toString() + ", signal " + sig.toString());
    }
    if (!w.frameHandler[f]) {
      // The wait loop calls an event's function only with no frame below.
      if (f != 0) broken("a frame not of a handler is the bottom one", action, PAUSE, "frame " + f.toString() + ", depth " + depth.toString());
    } else if ((w.blocked & bit(sig)) == 0 || (handlerSigs & bit(sig)) != 0) {
      // A handler's signal is blocked while it runs: never two frames for it.
      broken("a handler's signal is blocked while its frame is on the stack, one frame per signal", action, PAUSE,
        "frame " + f.toString() + ": signal " + sig.toString() + ", blocked 0x" + w.blocked.toString(16));
    } else {
      handlerSigs |= bit(sig);
    }
  }
  if (w.nsDead) {
    for (let i = PAUSE; i < w.count; i++) {
      if (w.state[i] != GONE) {
        broken("nothing is left of a dead namespace", action, i, "state " + w.state[i].toString());
      }
    }
  }
  if ((w.init && w.program != PAUSE + 1) || (!w.init && w.program != -1)) {
    broken("init mode's program is slot 2", action, PAUSE, "init " + (w.init ? "1" : "0") + ", program " + w.program.toString());
  }
}
