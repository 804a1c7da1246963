// Signals and exits (kernel/signal.c, kernel/exit.c), in one file because
// each calls the other: a fatal signal ends a process (send() -> die()), and
// a process that ends signals its parent (die() -> notifyParent() ->
// send(SIGCHLD)), whose handling may end it in turn. The recursion is the
// kernel's own; split in two files it would make them import each other.
//
// Signals: sending (dropped if ignored, coalesced into a pending set,
// SIGSTOP and SIGCONT cancelling each other, a fatal signal killing at
// once), the namespace init's protection, delivery order, and the system
// calls pause makes on its own signal state: sigaction(),
// sigprocmask(SIG_BLOCK), rt_sigtimedwait(), rt_sigreturn(), and
// get_signal() on its way back to user code. A named process acts on its
// pending signals as soon as it runs, each as its disposition says (the
// disposition step: default, SIG_IGN, a handler that records the signal, or
// blocked).
//
// Exits: a process ends; its children go to their new reaper, the nearest
// living subreaper or the namespace's init (orphans, K8), and zombies
// among them notify it (K9); it turns zombie and its parent is told
// (do_notify_parent). pause as a namespace init takes the whole namespace
// with it (K10).
import { World, OUTSIDE, PAUSE, RT_SLOTS, RUNNING, STOPPED, ZOMBIE } from "./world";
import { alive, becomeZombie, level, linkChild, unlinkChild } from "./table";
import { reap, reapAllOf } from "./wait";
import {
  fired, RULE_K1, RULE_K2, RULE_K3, RULE_K6, RULE_K7, RULE_K8, RULE_K9, RULE_K10, RULE_K12, RULE_K14, RULE_K15, RULE_K16,
} from "./coverage";
import {
  SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, ACTION_BLOCK, ACTION_CATCH, ACTION_DEFAULT, ACTION_IGNORE, NO_SIGNAL,
  COREDUMP_MASK, FIRST_QUEUED, IGNORE_MASK, RT_QUEUE_MAX, SIGNAL_LAST, STOP_MASK, bit, fatalByDefault, isQueued, nextSignal,
} from "./sigset";

// ---------------------------------------------------------------------------
// Pending signals: standard ones coalesce, real-time ones queue
// ---------------------------------------------------------------------------

// Where sig's count is in world.queued (a real-time signal's).
@inline function queueSlot(pid: i32, sig: i32): i32 {
  return pid * RT_SLOTS + sig - FIRST_QUEUED;
}

// sig joins pid's pending signals: a standard one is a bit, and a second
// one while it is pending is lost (K1); a real-time one is one more
// delivery (K16), up to RT_QUEUE_MAX in the model, where the kernel's
// bound is RLIMIT_SIGPENDING for the whole user.
function addPending(w: World, pid: i32, sig: i32): void {
  if (!isQueued(sig)) {
    if (w.pending[pid] & bit(sig)) fired(RULE_K1);
    w.pending[pid] |= bit(sig);
    return;
  }
  fired(RULE_K16);
  w.pending[pid] |= bit(sig);
  const at = queueSlot(pid, sig);
  const n = <i32>w.queued[at];
  if (n < RT_QUEUE_MAX) w.queued[at] = <u16>(n + 1);
}

// One delivery of sig is taken (dequeue_signal): a real-time signal stays
// pending while more of it are queued.
export function takePending(w: World, pid: i32, sig: i32): void {
  if (isQueued(sig)) {
    const at = queueSlot(pid, sig);
    const n = <i32>w.queued[at] - 1;
    w.queued[at] = <u16>n;
    if (n > 0) return;
  }
  w.pending[pid] &= ~bit(sig);
}

// Every delivery of sig is gone: discarded (SIG_IGN set), or each taken by
// a handler of a named process, which runs once for each.
function dropPending(w: World, pid: i32, sig: i32): void {
  w.pending[pid] &= ~bit(sig);
  if (isQueued(sig)) w.queued[queueSlot(pid, sig)] = 0;
}

// Nothing is pending any more (the process is dead).
function clearPending(w: World, pid: i32): void {
  w.pending[pid] = 0;
  const first = pid * RT_SLOTS;
  for (let i = 0; i < RT_SLOTS; i++) w.queued[first + i] = 0;
}

// The deliveries of each real-time signal a handleNamed() call has set up
// frames for (index: signal - FIRST_QUEUED), kept only if the process
// lives to run them: valid for the signals of that call's frames.
const framesQueued = new StaticArray<u16>(RT_SLOTS);

// A job-control stop (TSTP, TTIN, TTOU at its default action) does nothing
// to a process of an orphaned process group (K14): in a world every group
// is orphaned but an init-mode program's, whose parent or reaper (pause, or
// a process outside the group) is in the same session; the runner that
// leads the other group has its own parent in another session.
function inOrphanedGroup(w: World, pid: i32): bool {
  return !(w.init && w.pgid[pid] == w.program);
}

// ---------------------------------------------------------------------------
// Sending and delivery to named processes
// ---------------------------------------------------------------------------

// The handler a process has for sig: pause's (sigaction in ../pause.ts) or a
// named process's (the disposition step).
function hasHandler(w: World, pid: i32, sig: i32): bool {
  return ((pid == PAUSE ? w.handled : w.handlers[pid]) & bit(sig)) != 0;
}

// Blocked by the process's mask (pause's own, or a named process's).
function isBlocked(w: World, pid: i32, sig: i32): bool {
  return ((pid == PAUSE ? w.blocked : w.mask[pid]) & bit(sig)) != 0;
}

// SIG_IGN set by the process (pause sets it only for SIGCHLD, in the
// autoreap design: sigactionIgnore() below).
function isIgnoring(w: World, pid: i32, sig: i32): bool {
  return (w.ignoring[pid] & bit(sig)) != 0;
}

// sig_ignored(): dropped at send time. Blocked signals never are; the
// namespace init drops what it has no handler for unless SIGKILL/SIGSTOP
// come from an ancestor namespace (K7).
function ignoredAtSend(w: World, pid: i32, sig: i32, force: bool): bool {
  if (isBlocked(w, pid, sig)) return false;
  if (hasHandler(w, pid, sig)) return false;
  if (pid == PAUSE && w.pid1) {
    fired(RULE_K7);
    if (!(force && (sig == SIGKILL || sig == SIGSTOP))) return true;
  }
  if (isIgnoring(w, pid, sig)) return true;
  return (bit(sig) & IGNORE_MASK) != 0;
}

// __send_signal(): prepare_signal (SIGCONT resumes, SIGSTOP cancels a
// pending SIGCONT and the other way round), drop if ignored, coalesce
// (K1), and complete_signal: a fatal signal that does not dump core
// kills at once. A stopped process does not "want" any signal but SIGKILL
// (wants_signal()), so there every other fatal signal waits for SIGCONT;
// measured on the kernel, e.g. SIGINT or SIGPIPE to a stopped process.
export function send(w: World, pid: i32, sig: i32, force: bool): void {
  if (!alive(w, pid)) return;
  if (queue(w, pid, sig, force)) {
    die(w, pid, -1, sig);
    return;
  }
  if (pid != PAUSE) handleNamed(w, pid);
}

// The sending half of send(): the signal is queued, or dropped, and
// nothing runs yet. true when it dooms the process (complete_signal(): a
// fatal signal that does not dump core, or SIGKILL), which then dies
// without running any handler.
function queue(w: World, pid: i32, sig: i32, force: bool): bool {
  if (bit(sig) & STOP_MASK) {
    if (w.pending[pid] & bit(SIGCONT)) fired(RULE_K12);
    w.pending[pid] &= ~bit(SIGCONT);
  }
  if (sig == SIGCONT) {
    if (w.pending[pid] & STOP_MASK) fired(RULE_K12);
    w.pending[pid] &= ~STOP_MASK;
    if (w.state[pid] == STOPPED) {
      w.state[pid] = RUNNING;
      fired(RULE_K12);
      fired(RULE_K6);
    }
  }
  if (ignoredAtSend(w, pid, sig, force)) return false;
  addPending(w, pid, sig);
  const stopped = w.state[pid] == STOPPED;
  if (stopped) fired(RULE_K12);
  return !isBlocked(w, pid, sig) && !hasHandler(w, pid, sig) && fatalByDefault(sig) &&
    (sig == SIGKILL || (!stopped && (bit(sig) & COREDUMP_MASK) == 0));
}

// kill(-pgid, sig) to named processes (members: slots, newest first, as the
// kernel's per-group list has them): one system call queues the signal to
// every member before any of them runs. So the doomed die first, oldest
// first (a parent before its children, so none of them is told of a
// child's death it could run a handler for), and only then does each
// other member act on what it has pending, newest first: a member that
// dies of a signal that dumps core tells its parent, which then has both
// pending and takes the lower-numbered first (measured on the kernel: a
// program catching SIGCHLD, killed with its child by SIGQUIT to its group,
// runs no handler).
export function sendGroup(w: World, members: StaticArray<i32>, count: i32, sig: i32): void {
  fired(RULE_K14);
  const doomed = new StaticArray<bool>(count);
  for (let i = 0; i < count; i++) {
    const pid = members[i];
    if (alive(w, pid)) doomed[i] = queue(w, pid, sig, false);
  }
  for (let i = count - 1; i >= 0; i--) {
    if (doomed[i]) die(w, members[i], -1, sig);
  }
  for (let i = 0; i < count; i++) {
    const pid = members[i];
    if (!doomed[i] && alive(w, pid) && pid != PAUSE) handleNamed(w, pid);
  }
}

// A named process acts on its pending signals at once when it runs, as
// get_signal() does on its way back to user code: every unblocked pending
// signal in next_signal() order; SIGSTOP stops it (a job-control stop
// too, unless its group is orphaned), a fatal one kills it, an ignored one
// vanishes, and a caught one gets a handler frame (its signal blocked
// while the frame is set up; a real-time one's handler runs once for each
// queued). The frames run after the last
// signal is taken, the newest first (K3); a signal that kills first
// means no handler runs at all. Each handler records its signal in caught.
// A signal taken with frames already set up could only be SIGSTOP if two
// signals came in one step, which scenarios never do; the frames then run
// at once here.
function handleNamed(w: World, pid: i32): void {
  let frames: u64 = 0;
  const mask = w.mask[pid];
  while (w.state[pid] == RUNNING) {
    const deliverable = w.pending[pid] & ~(mask | frames);
    if (deliverable == 0) break;
    const sig = nextSignal(deliverable);
    if (w.handlers[pid] & bit(sig)) {
      frames |= bit(sig);
      fired(RULE_K3);
      if (isQueued(sig)) framesQueued[sig - FIRST_QUEUED] = w.queued[queueSlot(pid, sig)];
      dropPending(w, pid, sig);
      continue;
    }
    takePending(w, pid, sig);
    if (isIgnoring(w, pid, sig)) continue;
    if (bit(sig) & STOP_MASK) {
      if (sig == SIGSTOP || !inOrphanedGroup(w, pid)) { w.state[pid] = STOPPED; fired(RULE_K6); break; }
      continue;
    }
    if (fatalByDefault(sig)) { die(w, pid, -1, sig); return; }
  }
  for (let sig = FIRST_QUEUED; sig <= SIGNAL_LAST && frames >= bit(FIRST_QUEUED); sig++) {
    if (frames & bit(sig)) {
      // A count is fresh whenever its signal joins caught anew.
      const at = queueSlot(pid, sig);
      const before = (w.caught[pid] & bit(sig)) != 0 ? <i32>w.caughtQueued[at] : 0;
      w.caughtQueued[at] = <u16>min(before + <i32>framesQueued[sig - FIRST_QUEUED], RT_QUEUE_MAX);
    }
  }
  w.caught[pid] |= frames;
  if (w.state[pid] == RUNNING && w.reaps[pid]) reapAllOf(w, pid);
}

// A named process changes what it does with sig (the disposition step):
// sigaction() to SIG_DFL, SIG_IGN or a handler, then unblocks sig; or
// sigprocmask(SIG_BLOCK). Setting an action that ignores a signal discards
// it if pending (do_sigaction(), POSIX: even while blocked); unblocking lets
// a pending one act at once.
export function setDisposition(w: World, pid: i32, sig: i32, action: i32): void {
  const b = bit(sig);
  if (action == ACTION_BLOCK) {
    w.mask[pid] |= b;
    return;
  }
  w.handlers[pid] &= ~b;
  w.ignoring[pid] &= ~b;
  if (action == ACTION_CATCH) { w.handlers[pid] |= b; w.catches[pid] = true; }
  if (action == ACTION_IGNORE) w.ignoring[pid] |= b;
  if ((action == ACTION_IGNORE || (action == ACTION_DEFAULT && (b & IGNORE_MASK) != 0)) && (w.pending[pid] & b)) {
    fired(RULE_K3);
    dropPending(w, pid, sig);
  }
  w.mask[pid] &= ~b;
  handleNamed(w, pid);
}

// ---------------------------------------------------------------------------
// Exits: a process ends, its children move, its parent is told
// ---------------------------------------------------------------------------

// The nearest living subreaper ancestor in the same namespace, else the
// namespace's init (K8; kernel/exit.c find_new_reaper). In plain mode
// the runner (outside, a subreaper) is every chain's top. The kernel also
// skips a subreaper that is exiting (PF_EXITING); here none is ever met:
// an exiting process's children all move (reparentChildren) before any
// process runs, so by then nothing descends from it.
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

// do_notify_parent(): a child is a zombie; its parent hears SIGCHLD (a
// dead parent hears nothing: send() drops it). The runner reaps at once; a
// named reaper reaps when it runs.
function notifyParent(w: World, child: i32): void {
  const p = w.parent[child];
  if (!releasedAtOnce(w, child, p)) send(w, p, SIGCHLD, false);
}

// The zombie child of p is released without p running: the runner reaps at
// once, and the kernel itself for a parent that ignores SIGCHLD (SIG_IGN: a
// named process, or pause in the autoreap design; K15), at the child's exit
// or when a zombie is reparented to it. Runs no process's code.
function releasedAtOnce(w: World, child: i32, p: i32): bool {
  if (p == OUTSIDE) { reap(w, child, OUTSIDE); return true; }
  if (w.ignoring[p] & bit(SIGCHLD)) { fired(RULE_K15); reap(w, child, p); return true; }
  return false;
}

// do_exit(): the process ends (exit code, or signal when code < 0): its
// children move to their new reaper, it becomes a zombie and its parent is
// told. pause as namespace init first kills the namespace.
export function die(w: World, pid: i32, code: i32, sig: i32): void {
  if (!alive(w, pid)) return;
  w.exitCode[pid] = code;
  w.exitSignal[pid] = sig;
  clearPending(w, pid);
  if (pid == PAUSE && w.pid1) {
    // Dead first: nothing may signal an exiting init.
    becomeZombie(w, pid);
    w.depth = 0;
    zapNamespace(w);
  } else if (pid == PAUSE) {
    // A plain pause's children (init mode: its program) go to their new
    // reaper like anyone's.
    reparentChildren(w, pid);
    becomeZombie(w, pid);
    w.depth = 0;
  } else {
    // exit_notify(): the children move before the process turns zombie.
    reparentChildren(w, pid);
    becomeZombie(w, pid);
  }
  notifyParent(w, pid);
}

// forget_original_parent(): every child moves to the reaper, in
// children-list order, each to the tail of the reaper's list, and only then
// does the reaper hear SIGCHLD once per zombie among them (K9). The kernel
// moves them all under one lock, to a reaper that is not exiting; a
// SIGCHLD sent in the middle would run the reaper here, which may die of a
// signal it had pending and leave the rest of the children on a dead
// process.
function reparentChildren(w: World, pid: i32): void {
  const reaper = findReaper(w, pid);
  let zombies = 0;
  for (let bound = w.count; bound > 0; bound--) {
    const next = w.firstChild[pid];
    if (next < 0) break;
    unlinkChild(w, next);
    w.parent[next] = reaper;
    w.seq[next] = w.childSeq++;
    linkChild(w, next);
    fired(RULE_K8);
    if (w.state[next] == ZOMBIE) {
      fired(RULE_K9);
      if (!releasedAtOnce(w, next, reaper)) zombies++;
    }
  }
  assert(w.firstChild[pid] < 0, "pause: children left behind by reparenting");
  for (let i = 0; i < zombies; i++) send(w, reaper, SIGCHLD, false);
}

// zap_pid_ns_processes(): SIGKILL to every process of the namespace, and the
// exiting init reaps its own children until none is left.
function zapNamespace(w: World): void {
  fired(RULE_K10);
  w.nsDead = true;
  for (let i = 2; i < w.count; i++) {
    if (level(w, i) == 1 && alive(w, i)) die(w, i, -1, SIGKILL);
  }
  reapAllOf(w, PAUSE);
}

// ---------------------------------------------------------------------------
// pause's own signal state: the system calls it makes, and delivery to it
// ---------------------------------------------------------------------------

// sigaction(sig, handler): pause handles sig from now on, whatever it was
// started with (an inherited SIG_IGN included).
@inline export function sigaction(w: World, sig: i32): void {
  w.handled |= bit(sig);
  w.ignoring[PAUSE] &= ~bit(sig);
}

// sigaction(sig, SIG_DFL): the default action from now on (an inherited
// SIG_IGN undone); a pending one is discarded if that action is to ignore
// it (do_sigaction()).
@inline export function sigactionDefault(w: World, sig: i32): void {
  w.ignoring[PAUSE] &= ~bit(sig);
  if (bit(sig) & IGNORE_MASK) dropPending(w, PAUSE, sig);
}

// sigaction(sig, SIG_IGN): pause ignores sig from now on; a pending one is
// discarded (do_sigaction()). For SIGCHLD, the kernel then reaps pause's
// children itself (K15, notifyParent above).
@inline export function sigactionIgnore(w: World, sig: i32): void {
  w.ignoring[PAUSE] |= bit(sig);
  dropPending(w, PAUSE, sig);
}

// sigprocmask(SIG_BLOCK, set): set joins pause's mask.
@inline export function sigprocmaskBlock(w: World, set: u64): void {
  w.blocked |= set;
}

// sigprocmask(SIG_UNBLOCK, set): set leaves pause's mask.
@inline export function sigprocmaskUnblock(w: World, set: u64): void {
  w.blocked &= ~set;
}

// get_signal() for pause, each time it would return to user code: the
// kernel takes every unblocked pending signal before pause's code runs again
// (K3), one per call here, in next_signal() order. A signal pause has a
// handler for is returned, blocked while its handler runs (the caller sets
// up the handler's frame); otherwise the default action is taken here and 0
// returned: SIGSTOP stops (a job-control stop does nothing: pause's group
// is orphaned), a fatal signal kills unless pause is a namespace init (then
// only SIGKILL does) or ignores it, anything else vanishes. NO_SIGNAL when
// no unblocked signal is pending.
@inline export function getSignal(w: World): i32 {
  const deliverable = w.pending[PAUSE] & ~w.blocked;
  if (deliverable == 0) return NO_SIGNAL;
  const sig = nextSignal(deliverable);
  takePending(w, PAUSE, sig);
  if (w.handled & bit(sig)) {
    w.blocked |= bit(sig);
    return sig;
  }
  if (sig == SIGSTOP) {
    w.state[PAUSE] = STOPPED;
    fired(RULE_K6);
  } else if (fatalByDefault(sig) && !isIgnoring(w, PAUSE, sig) && (!w.pid1 || sig == SIGKILL)) {
    die(w, PAUSE, -1, sig);
  }
  return 0;
}

// rt_sigreturn() after pause's handler for sig: the mask is as it was.
@inline export function sigreturn(w: World, sig: i32): void {
  w.blocked &= ~bit(sig);
}

// rt_sigtimedwait(set) by pause: one delivery of a pending signal of set,
// in next_signal() order (SIGSYS, which init mode forwards, is a
// synchronous one and comes first), taken off the pending set; 0 if none
// is pending: pause sleeps until one is.
@inline export function sigtimedwait(w: World, set: u64): i32 {
  const ready = w.pending[PAUSE] & set;
  if (ready == 0) return 0;
  const sig = nextSignal(ready);
  takePending(w, PAUSE, sig);
  return sig;
}
