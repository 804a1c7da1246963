// Signals (kernel/signal.c): sending (dropped if ignored, coalesced into a
// pending set, SIGSTOP and SIGCONT cancelling each other, a fatal signal
// killing at once), the namespace init's protection, delivery order, and the
// system calls pause makes on its own signal state: sigaction(),
// sigprocmask(SIG_BLOCK), rt_sigtimedwait(), rt_sigreturn(), and get_signal()
// on its way back to user code. A named process acts on its pending signals
// as soon as it runs, each as its disposition says (the disposition step:
// default, SIG_IGN, a handler that records the signal, or blocked).
import { World, PAUSE, RUNNING, STOPPED } from "./world";
import { alive } from "./table";
import { die } from "./exit";
import { reapAllOf } from "./wait";

// Signal numbers (x86-64).
export const SIGINT: i32 = 2;
export const SIGKILL: i32 = 9;
export const SIGTERM: i32 = 15;
export const SIGCHLD: i32 = 17;
export const SIGCONT: i32 = 18;
export const SIGSTOP: i32 = 19;

/** The disposition step's actions (src/scenario/types.ts DispositionAction). */
export const ACTION_DEFAULT: i32 = 0;
export const ACTION_IGNORE: i32 = 1;
export const ACTION_CATCH: i32 = 2;
export const ACTION_BLOCK: i32 = 3;

export function bit(sig: i32): u32 {
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

/** getSignal(): no unblocked signal is pending. */
export const NO_SIGNAL: i32 = -1;

// next_signal(): synchronous signals first, then the lowest-numbered.
function nextSignal(set: u32): i32 {
  let x = set;
  if (x & SYNCHRONOUS_MASK) x &= SYNCHRONOUS_MASK;
  return <i32>ctz(x);
}

// The handler a process has for sig: pause's (sigaction in ../pause.ts) or a
// named process's (the disposition step).
function hasHandler(w: World, pid: i32, sig: i32): bool {
  return ((pid == PAUSE ? w.handled : w.handlers[pid]) & bit(sig)) != 0;
}

function isBlocked(w: World, pid: i32, sig: i32): bool {
  return ((pid == PAUSE ? w.blocked : w.mask[pid]) & bit(sig)) != 0;
}

// SIG_IGN set by the process (pause sets it only for SIGCHLD, in the
// autoreap design: sigactionIgnore() below).
function isIgnoring(w: World, pid: i32, sig: i32): bool {
  return (w.ignoring[pid] & bit(sig)) != 0;
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
  if (isIgnoring(w, pid, sig)) return true;
  return (bit(sig) & IGNORE_MASK) != 0;
}

// __send_signal(): prepare_signal (SIGCONT resumes, SIGSTOP cancels a
// pending SIGCONT and the other way round), drop if ignored, coalesce
// (rule 1), and complete_signal: a fatal signal that does not dump core
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
  if (sig == SIGSTOP) w.pending[pid] &= ~bit(SIGCONT);
  if (sig == SIGCONT) {
    w.pending[pid] &= ~STOP_MASK;
    if (w.state[pid] == STOPPED) w.state[pid] = RUNNING;
  }
  if (ignoredAtSend(w, pid, sig, force)) return false;
  w.pending[pid] |= bit(sig);
  const stopped = w.state[pid] == STOPPED;
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
// signal in next_signal() order; SIGSTOP stops it, a fatal one kills it, an
// ignored one vanishes, and a caught one gets a handler frame (its signal
// blocked while the frame is set up). The frames run after the last
// signal is taken, the newest first (rule 3); a signal that kills first
// means no handler runs at all. Each handler records its signal in caught.
// A signal taken with frames already set up could only be SIGSTOP if two
// signals came in one step, which scenarios never do; the frames then run
// at once here.
function handleNamed(w: World, pid: i32): void {
  let frames: u32 = 0;
  const mask = w.mask[pid];
  while (w.state[pid] == RUNNING) {
    const deliverable = w.pending[pid] & ~(mask | frames);
    if (deliverable == 0) break;
    const sig = nextSignal(deliverable);
    w.pending[pid] &= ~bit(sig);
    if (w.handlers[pid] & bit(sig)) { frames |= bit(sig); continue; }
    if (isIgnoring(w, pid, sig)) continue;
    if (sig == SIGSTOP) { w.state[pid] = STOPPED; break; }
    if (fatalByDefault(sig)) { die(w, pid, -1, sig); return; }
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
  if (action == ACTION_IGNORE || (action == ACTION_DEFAULT && (b & IGNORE_MASK) != 0)) w.pending[pid] &= ~b;
  w.mask[pid] &= ~b;
  handleNamed(w, pid);
}

// ---------------------------------------------------------------------------
// pause's own signal state: the system calls it makes, and delivery to it
// ---------------------------------------------------------------------------

// sigaction(sig, handler): pause handles sig from now on.
@inline export function sigaction(w: World, sig: i32): void {
  w.handled |= bit(sig);
}

// sigaction(sig, SIG_IGN): pause ignores sig from now on; a pending one is
// discarded (do_sigaction()). For SIGCHLD, the kernel then reaps pause's
// children itself (rule 15, exit.ts notifyParent).
@inline export function sigactionIgnore(w: World, sig: i32): void {
  w.ignoring[PAUSE] |= bit(sig);
  w.pending[PAUSE] &= ~bit(sig);
}

// sigprocmask(SIG_BLOCK, set): set joins pause's mask.
@inline export function sigprocmaskBlock(w: World, set: u32): void {
  w.blocked |= set;
}

// get_signal() for pause, each time it would return to user code: the
// kernel takes every unblocked pending signal before pause's code runs again
// (rule 3), one per call here, in next_signal() order. A signal pause has a
// handler for is returned, blocked while its handler runs (the caller sets
// up the handler's frame); otherwise the default action is taken here and 0
// returned: SIGSTOP stops, a fatal signal kills unless pause is a namespace
// init (then only SIGKILL does), anything else vanishes. NO_SIGNAL when no
// unblocked signal is pending.
@inline export function getSignal(w: World): i32 {
  const deliverable = w.pending[PAUSE] & ~w.blocked;
  if (deliverable == 0) return NO_SIGNAL;
  const sig = nextSignal(deliverable);
  w.pending[PAUSE] &= ~bit(sig);
  if (w.handled & bit(sig)) {
    w.blocked |= bit(sig);
    return sig;
  }
  if (sig == SIGSTOP) {
    w.state[PAUSE] = STOPPED;
  } else if (fatalByDefault(sig) && (!w.pid1 || sig == SIGKILL)) {
    die(w, PAUSE, -1, sig);
  }
  return 0;
}

// rt_sigreturn() after pause's handler for sig: the mask is as it was.
@inline export function sigreturn(w: World, sig: i32): void {
  w.blocked &= ~bit(sig);
}

// rt_sigtimedwait(set) by pause: the lowest-numbered pending signal of set,
// taken off the pending set (set holds no synchronous signal, so that is
// next_signal()'s order); 0 if none is pending: pause sleeps until one is.
@inline export function sigtimedwait(w: World, set: u32): i32 {
  const ready = w.pending[PAUSE] & set;
  if (ready == 0) return 0;
  const sig = <i32>ctz(ready);
  w.pending[PAUSE] &= ~bit(sig);
  return sig;
}
