// The model's exported API: flat, numbers only; results come back through
// getters. The host is src/engines/model/ (instance.ts, world.ts). A world
// (kernel/world.ts) is one process table with pause in it; pause's program
// is pause.ts, the kernel's rules are kernel/*.ts. Many worlds live in one
// module instance, numbered here.
//
// Every number and text the host needs is exported from here, never copied
// into it: the host reads each group of constants by its prefix at load
// time (src/engines/model/codes.ts), and the words of each error with
// errorText(). A new constant in a group is one more name below.
import { World, freshWorld, recycle, MAX_PROCESSES, OUTSIDE, PAUSE, RT_SLOTS, RUNNING } from "./kernel/world";
import { addProcess } from "./kernel/table";
import {
  ACTION_DEFAULT, ACTION_BLOCK, FIRST_QUEUED, RESERVED_MASK, SIGKILL, SIGNAL_LAST, SIGSTOP, bit, validSignal,
} from "./kernel/sigset";
import { die, send, setDisposition } from "./kernel/signals";
// Debug builds check the kernel's invariants after every action (each
// `if (CHECKING)` below); in the release build CHECKING is false at compile
// time and the checks are not there at all.
import {
  CHECKING, AFTER_CREATE, AFTER_SPAWN, AFTER_EXIT, AFTER_KILL, AFTER_SUBREAPER, AFTER_DISPOSITION, AFTER_STEP, checkWorld,
} from "./kernel/check";
import {
  DESIGN_SIGWAIT, DESIGN_AUTOREAP, MUTANT_NONE, MUTANT_LAST, EXEC_OK, EXEC_LAST,
  main, pauseState, pauseStep,
} from "./pause";

// The host's codes, by group (its prefix): pause's designs, bugs (0: none)
// and exec outcomes; the disposition step's actions; a process's states as
// processState() returns them; pause's phases as pausePhase() returns them;
// the fixed slots (named processes start at SLOT_FIRST_NAMED; an init-mode
// program is the first of them). Below: pause's events and the rules.
export {
  DESIGN_SIGWAIT, DESIGN_HANDLERS, DESIGN_AUTOREAP,
  MUTANT_NONE, MUTANT_REAP_ONCE, MUTANT_NO_CHLD, MUTANT_NO_TERM, MUTANT_WRONG_CODE, MUTANT_REAP_ECHILD,
  MUTANT_FORWARD_NOTHING, MUTANT_EXIT_ZERO, MUTANT_SIGNAL_AS_CODE, MUTANT_FORWARD_CHLD, MUTANT_EXIT_EARLY,
  EXEC_OK, EXEC_MISSING, EXEC_NOT_EXECUTABLE, EXEC_DIRECTORY, EXEC_NAME_TOO_LONG,
  WAITING as PHASE_WAITING, REAPING as PHASE_REAPING, EXITED as PHASE_EXITED,
  SHUTTING_DOWN as PHASE_SHUTTING_DOWN, FORWARDING as PHASE_FORWARDING,
} from "./pause";
export { ACTION_DEFAULT, ACTION_IGNORE, ACTION_CATCH, ACTION_BLOCK } from "./kernel/sigset";
// pause's events, for the counts of events taken in each state (takeCount).
export { EVENT_SHUTDOWN, EVENT_CHILD, EVENT_FORWARD } from "./pause";
// Coverage: the kernel rules of docs/model.md by number, and the counts of
// each rule applied and each of pause's transitions taken, in every world
// since the module started or clearCounts() (kernel/coverage.ts).
export {
  RULE_K1, RULE_K2, RULE_K3, RULE_K4, RULE_K5, RULE_K6, RULE_K7, RULE_K8, RULE_K9, RULE_K10, RULE_K11, RULE_K12,
  RULE_K13, RULE_K14, RULE_K15, RULE_K16, ruleCount, moveCount, takeCount, clearCounts, countRules,
} from "./kernel/coverage";
export {
  RUNNING as STATE_RUNNING, STOPPED as STATE_STOPPED, ZOMBIE as STATE_ZOMBIE, GONE as STATE_GONE,
  OUTSIDE as SLOT_OUTSIDE, PAUSE as SLOT_PAUSE, MAX_PROCESSES,
} from "./kernel/world";
export const SLOT_FIRST_NAMED: i32 = PAUSE + 1;
/** The highest signal number (1..64; 32 and 33 are the C library's, refused). */
export { SIGNAL_LAST, RT_QUEUE_MAX } from "./kernel/sigset";

/** Error results (negative), one per thing a caller can get wrong; errorText() words each. */
export const ERR_TABLE_FULL: i32 = -1;
export const ERR_NO_SUCH_PROCESS: i32 = -2;
export const ERR_NOT_RUNNING: i32 = -3;
export const ERR_NAMESPACE_GONE: i32 = -4;
export const ERR_BAD_SIGNAL: i32 = -5;
export const ERR_NO_SUCH_WORLD: i32 = -6;
export const ERR_BAD_ARGUMENT: i32 = -7;

const TABLE_FULL_TEXT = "the process table is full (" + MAX_PROCESSES.toString() + " processes)";

// What an error result means, in the words the host puts after what was
// refused ("cannot spawn 'x' from 'y': ..."); null for a code that is none.
function errorWords(code: i32): string | null {
  switch (code) {
    case ERR_TABLE_FULL: return TABLE_FULL_TEXT;
    case ERR_NO_SUCH_PROCESS: return "no such process";
    case ERR_NOT_RUNNING: return "the process is not running (stopped, zombie or gone)";
    case ERR_NAMESPACE_GONE: return "pause's PID namespace is gone: no process can be started in it";
    case ERR_BAD_SIGNAL: return "signal out of range 1..64, or 32 or 33 (the C library's own)";
    case ERR_NO_SUCH_WORLD: return "no such model world (disposed?)";
    case ERR_BAD_ARGUMENT: return "argument out of range";
    default: return null;
  }
}

/**
 * The words of an error result (ERR_*): a pointer to a string in the
 * module's memory (UTF-16, its byte length in the 4 bytes before it), which
 * lives as long as the module; 0 for a code that is no error.
 */
export function errorText(code: i32): usize {
  return changetype<usize>(errorWords(code));
}

/** settle() result when its bound is hit: pause never blocks. */
export const LIVELOCK: i32 = -100;

// The worlds by id; a destroyed world's id is reused.
const worlds = new Array<World | null>(0);

function world(id: i32): World | null {
  if (id < 0 || id >= worlds.length) return null;
  return unchecked(worlds[id]);              // in range: checked above
}

function storeWorld(w: World): i32 {
  for (let i = 0; i < worlds.length; i++) {
    if (worlds[i] === null) { worlds[i] = w; return i; }
  }
  worlds.push(w);
  return worlds.length - 1;
}

// What pause may be started with: a set of signals 1..64 (bit n-1: signal
// n) but 32 and 33, SIGKILL and SIGSTOP, which nobody ignores or blocks.
function validStart(set: u64): bool {
  return (set & (RESERVED_MASK | bit(SIGKILL) | bit(SIGSTOP))) == 0;
}

// A world with outside and pause in it, not yet started: pause ignores
// and blocks what it was started with (ignored, blocked; K13).
function newWorld(design: i32, mutant: i32, pid1: bool, ignored: u64, blocked: u64): World {
  const w = freshWorld();
  w.design = design; w.mutant = mutant; w.pid1 = pid1;
  addProcess(w, -1, true);                   // outside: the runner
  addProcess(w, OUTSIDE, false);             // pause
  w.subreaper[OUTSIDE] = true;
  w.startIgnored = ignored; w.startBlocked = blocked;
  w.ignoring[PAUSE] = ignored; w.blocked = blocked;
  return w;
}

/**
 * A new world: pause just started (and set up) with the given design and
 * mutant, ignoring and blocking the signals it was started with (bit n-1:
 * signal n; 0 and 0 for none).
 */
export function create(design: i32, mutant: i32, pid1: bool, ignored: u64, blocked: u64): i32 {
  if (design < DESIGN_SIGWAIT || design > DESIGN_AUTOREAP) return ERR_BAD_ARGUMENT;
  if (mutant < MUTANT_NONE || mutant > MUTANT_LAST) return ERR_BAD_ARGUMENT;
  if (!validStart(ignored) || !validStart(blocked)) return ERR_BAD_ARGUMENT;
  const w = newWorld(design, mutant, pid1, ignored, blocked);
  main(w, false, false);                     // pause.c main(), up to WAITING
  if (CHECKING) checkWorld(w, AFTER_CREATE);
  return storeWorld(w);
}

/**
 * A new world in init mode: pause [-g] [-s] -- PROGRAM, started up to
 * WAITING, the program (slot 2) forked; exec is EXEC_*, reaps whether the
 * program reaps its children; ignored and blocked as for create(). Add -e
 * codes with expectCode() before the first step.
 */
export function createInit(
  design: i32, mutant: i32, pid1: bool, exec: i32, group: bool, subreaper: bool, reaps: bool, ignored: u64, blocked: u64,
): i32 {
  if (design < DESIGN_SIGWAIT || design > DESIGN_AUTOREAP) return ERR_BAD_ARGUMENT;
  if (mutant < MUTANT_NONE || mutant > MUTANT_LAST) return ERR_BAD_ARGUMENT;
  if (exec < EXEC_OK || exec > EXEC_LAST) return ERR_BAD_ARGUMENT;
  if (!validStart(ignored) || !validStart(blocked)) return ERR_BAD_ARGUMENT;
  const w = newWorld(design, mutant, pid1, ignored, blocked);
  w.init = true; w.execOutcome = exec; w.group = group;
  main(w, subreaper, reaps);                 // up to WAITING, the program forked
  if (CHECKING) checkWorld(w, AFTER_CREATE);
  return storeWorld(w);
}

/** pause's -e code: the program's code (or 128+N) becomes 0. */
export function expectCode(id: i32, code: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (!w.init || code < 0 || code > 255) return ERR_BAD_ARGUMENT;
  w.expect[code >> 5] |= (<u32>1) << <u32>(code & 31);
  return 0;
}

// The runtime is AssemblyScript's minimal one (asconfig.json): no shadow
// stack and no write barriers on the hot path, and a collector that runs
// only when called, with no managed reference of the model on the stack.
// destroy() is such a place (the host calls it, and it holds nothing after
// recycle()): every COLLECT_EVERY destroys it frees what dropped worlds and
// grown columns left behind.
const COLLECT_EVERY: i32 = 1024;
let destroyed: i32 = 0;

/** Frees a world. */
export function destroy(id: i32): void {
  const w = world(id);
  if (w === null) return;
  worlds[id] = null;
  recycle(w);
  if (++destroyed % COLLECT_EVERY == 0) __collect();
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
  const pid = addProcess(w, parent, reaps);
  if (CHECKING) checkWorld(w, AFTER_SPAWN);
  return pid;
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
  if (CHECKING) checkWorld(w, AFTER_EXIT);
  return 0;
}

/** from calls kill(target, sig); from OUTSIDE is the runner (an ancestor namespace in pid1 mode). */
export function kill(id: i32, from: i32, target: i32, sig: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  const bad = checkActor(w, from);
  if (bad < 0) return bad;
  if (target <= OUTSIDE || target >= w.count) return ERR_NO_SUCH_PROCESS;
  if (!validSignal(sig)) return ERR_BAD_SIGNAL;
  const force = from == OUTSIDE && w.pid1;
  send(w, target, sig, force);
  if (CHECKING) checkWorld(w, AFTER_KILL);
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
  if (CHECKING) checkWorld(w, AFTER_SUBREAPER);
  return 0;
}

/** The process changes its disposition of sig: ACTION_DEFAULT, _IGNORE, _CATCH or _BLOCK. */
export function disposition(id: i32, pid: i32, sig: i32, action: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid == OUTSIDE) return ERR_NO_SUCH_PROCESS;
  const bad = checkActor(w, pid);
  if (bad < 0) return bad;
  if (!validSignal(sig) || sig == SIGKILL || sig == SIGSTOP) return ERR_BAD_SIGNAL;
  if (action < ACTION_DEFAULT || action > ACTION_BLOCK) return ERR_BAD_ARGUMENT;
  setDisposition(w, pid, sig, action);
  if (CHECKING) checkWorld(w, AFTER_DISPOSITION);
  return 0;
}

/** One atomic action of pause: 1 if it did something, 0 if it is blocked. */
export function step(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  const acted = pauseStep(w);
  if (CHECKING) checkWorld(w, AFTER_STEP);
  return acted ? 1 : 0;
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
    if (CHECKING) checkWorld(w, AFTER_STEP);
    if (++n >= bound) return LIVELOCK;
  }
  if (CHECKING) checkWorld(w, AFTER_STEP);
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

/** Pending signal set of a process (bit n-1: signal n; a queued real-time signal once). */
export function processPending(id: i32, pid: i32): u64 {
  const w = world(id);
  if (w === null || pid < 0 || pid >= w.count) return 0;
  return w.pending[pid];
}

/** Signals the process's handlers ran for since the last call (bit n-1: signal n); clears them. */
export function takeCaught(id: i32, pid: i32): u64 {
  const w = world(id);
  if (w === null || pid < 0 || pid >= w.count) return 0;
  const caught = w.caught[pid];
  w.caught[pid] = 0;
  return caught;
}

/**
 * How many times the process's handler ran for real-time signal sig
 * (32..64) that the last takeCaught() counted (meaningful for the signals
 * of its set: a count starts afresh when its signal is caught anew).
 */
export function caughtQueuedCount(id: i32, pid: i32, sig: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (pid < 0 || pid >= w.count) return ERR_NO_SUCH_PROCESS;
  if (sig < FIRST_QUEUED || sig > SIGNAL_LAST) return ERR_BAD_SIGNAL;
  return w.caughtQueued[pid * RT_SLOTS + sig - FIRST_QUEUED];
}

/** Whether the process ever had a handler (a catch disposition). */
export function processCatches(id: i32, pid: i32): bool {
  const w = world(id);
  return w !== null && pid >= 0 && pid < w.count && w.catches[pid];
}

/** Init mode: how many times pause has forwarded sig (kill() calls, ever). */
export function pauseForwardCount(id: i32, sig: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  if (sig < 0 || sig > SIGNAL_LAST) return ERR_BAD_SIGNAL;
  return w.forwardCount[sig];
}

/** Init mode: zombie children pause had when it exited with the program's status (-1: it has not). */
export function pauseZombiesAtExit(id: i32): i32 {
  const w = world(id);
  return w === null ? ERR_NO_SUCH_WORLD : w.zombiesAtExit;
}

/** pause's state as in pause.c: WAITING, REAPING, SHUTTING_DOWN, FORWARDING or EXITED. */
export function pausePhase(id: i32): i32 {
  const w = world(id);
  if (w === null) return ERR_NO_SUCH_WORLD;
  return pauseState(w);
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
  keyBuffer.push(w.count); pushSet(w.blocked); keyBuffer.push(w.main);
  keyBuffer.push(w.nsDead ? 1 : 0); keyBuffer.push(w.depth);
  keyBuffer.push((w.programReaped ? 1 : 0) | ((w.zombiesAtExit + 1) << 1));
  for (let i = 0; i <= SIGNAL_LAST; i++) keyBuffer.push(w.forwardCount[i]);
  for (let i = 0; i < w.depth; i++) {
    keyBuffer.push(w.frameEvent[i] | (w.frameSig[i] << 4) | (w.framePc[i] << 12) |
      ((w.frameHandler[i] ? 1 : 0) << 16));
  }
  for (let i = 0; i < w.count; i++) {
    keyBuffer.push(w.state[i] | ((w.subreaper[i] ? 1 : 0) << 4) | ((w.reaps[i] ? 1 : 0) << 5) |
      ((w.exitSignal[i] & 0xff) << 8) | ((w.exitCode[i] & 0xffff) << 16));
    keyBuffer.push(w.parent[i]);
    pushSet(w.pending[i]);
    keyBuffer.push(w.seq[i]);
    keyBuffer.push(w.reapCount[i] | (w.reapedBy[i] << 8));
    keyBuffer.push(w.pgid[i] | ((w.catches[i] ? 1 : 0) << 16)); pushSet(w.handlers[i]);
    pushSet(w.ignoring[i]); pushSet(w.mask[i]); pushSet(w.caught[i]);
    // The queued real-time signals, pending or caught, each with its count.
    const rt = (w.pending[i] | w.caught[i]) & REALTIME_OR_RESERVED;
    for (let sig = FIRST_QUEUED; sig <= SIGNAL_LAST && rt != 0; sig++) {
      const at = i * RT_SLOTS + sig - FIRST_QUEUED;
      if (rt & bit(sig)) keyBuffer.push((sig << 24) | (<i32>w.queued[at] << 12) | <i32>w.caughtQueued[at]);
    }
  }
  return keyBuffer.length;
}

// The bits of 32..64, where real-time signals queue.
const REALTIME_OR_RESERVED: u64 = ~(bit(FIRST_QUEUED) - 1);

// A 64-bit signal set into the key, as two words.
function pushSet(set: u64): void {
  keyBuffer.push(<i32>set);
  keyBuffer.push(<i32>(set >> 32));
}

/** Word i of the last stateKey(). */
export function keyWord(i: i32): i32 {
  return i >= 0 && i < keyBuffer.length ? keyBuffer[i] : 0;
}