// pause: native/pause.c in its three signal designs, as a state machine over the
// kernel model (kernel/*.ts, the rules of ../shared/SEMANTICS.md). Read it
// beside pause.c: the same sections in the same order, the same states and
// events, each function saying which C function it mirrors.
//
//   state    WAITING   blocked in pause() or the signal wait
//            REAPING   calling waitpid(-1, WNOHANG) until it returns <= 0
//            SHUTTING_DOWN  between on_shutdown()'s write() and its _exit()
//            FORWARDING     init mode: between taking a signal and its kill()
//            EXITED    gone, with exit code 0 (init mode: the program's)
//   event    EVENT_SHUTDOWN  SIGINT or SIGTERM arrived: print, exit 0
//            EVENT_FORWARD   init mode: a forwardable signal arrived: kill()
//                            the program (its process group with -g)
//            EVENT_CHILD     SIGCHLD arrived: reap every zombie; init mode:
//                            once the program is among them, exit with its
//                            status (128+N if signal N killed it; -e codes 0)
//
// Init mode (pause [-g] [-s] [-e CODE]... -- PROGRAM, /work/plan/INIT.md):
// pause sets up its signals, forks the program (its own process group,
// default dispositions, an empty mask) and forwards. The program is a named
// process of the kernel model; a failed exec is the child's one line on
// stderr and its _exit(127 or 126).
//
// The model runs pause one atomic action at a time (pauseStep(), at the end):
// delivering one signal, taking one from the wait, one waitpid(), returning
// from a handler, writing its message, exiting; so the host can put external
// events between any two of them. pause's stderr goes to WASI fd 2, byte for
// byte what the native program writes. No clock and no randomness anywhere.
//
// Not modelled: -v (is_version_flag()) and the setup failures (EXIT_*_SETUP):
// the model's sigaction() and sigprocmask() cannot fail.
import { World, MAX_FRAMES, PAUSE, RUNNING } from "./kernel/world";
import { alive } from "./kernel/table";
import { addProcess } from "./kernel/table";
import { SIGINT, SIGTERM, SIGCHLD, NO_SIGNAL, bit } from "./kernel/sigset";
import {
  die, getSignal, send, sendGroup, sigaction, sigactionIgnore, sigprocmaskBlock, sigreturn, sigtimedwait,
} from "./kernel/signals";
import { waitpidAnyNohang } from "./kernel/wait";

/** Designs, as the DESIGN_* macros of pause.c. */
export const DESIGN_SIGWAIT: i32 = 0;
export const DESIGN_HANDLERS: i32 = 1;
/** The kernel reaps (SIGCHLD at SIG_IGN); init mode reaps as DESIGN_SIGWAIT. */
export const DESIGN_AUTOREAP: i32 = 2;

/** Mutants, as the MUTANT_* macros of pause.c (0 = the real program). */
export const MUTANT_NONE: i32 = 0;
export const MUTANT_REAP_ONCE: i32 = 1;
export const MUTANT_NO_CHLD: i32 = 2;
export const MUTANT_NO_TERM: i32 = 3;
export const MUTANT_WRONG_CODE: i32 = 4;
export const MUTANT_REAP_ECHILD: i32 = 5;
/** Init mode's mutants. */
export const MUTANT_FORWARD_NOTHING: i32 = 6; // EVENT_FORWARD does nothing
export const MUTANT_EXIT_ZERO: i32 = 7;       // exits 0 whatever the program's status
export const MUTANT_SIGNAL_AS_CODE: i32 = 8;  // N instead of 128+N
export const MUTANT_FORWARD_CHLD: i32 = 9;    // also forwards SIGCHLD after reaping
export const MUTANT_EXIT_EARLY: i32 = 10;     // exits when it sees the program's status, zombies left
export const MUTANT_LAST: i32 = 10;

/** How the program's exec goes (init mode). */
export const EXEC_OK: i32 = 0;
export const EXEC_MISSING: i32 = 1;        // ENOENT on every PATH entry: 127
export const EXEC_NOT_EXECUTABLE: i32 = 2; // EACCES: 126

/** The program's name for each failing exec (the kernel engine's files). */
const PROGRAM_MISSING = "pausekit-missing-program";
const PROGRAM_NOT_EXECUTABLE = "pausekit-not-executable";

/** pause's states, as in pause.c. */
export const WAITING: i32 = 0;
export const REAPING: i32 = 1;
export const EXITED: i32 = 2;
/** Between EVENT_SHUTDOWN's write() and its _exit() (pause.c: on_shutdown). */
export const SHUTTING_DOWN: i32 = 3;
/** Init mode: between taking a forwardable signal and its kill() (pause.c: on_forward). */
export const FORWARDING: i32 = 4;

/** pause's events, as in pause.c. */
export const EVENT_SHUTDOWN: i32 = 1;
export const EVENT_CHILD: i32 = 2;
export const EVENT_FORWARD: i32 = 3;

// pause.c's exit codes: only EXIT_OK is reachable here (init mode exits
// with the program's status instead).
const EXIT_OK: i32 = 0;
const EXIT_NOT_FOUND: i32 = 127;
const EXIT_CANNOT_RUN: i32 = 126;

// The signals init mode forwards (of 1..31; the real-time ones are not
// modelled): everything pause can catch but SIGCHLD and the synchronous
// faults. HUP INT QUIT USR1 USR2 PIPE ALRM TERM CONT TSTP URG XCPU XFSZ
// VTALRM PROF WINCH IO PWR SYS.
const FORWARDED: u32 = bit(1) | bit(2) | bit(3) | bit(10) | bit(12) | bit(13) | bit(14) | bit(15) |
  bit(18) | bit(20) | bit(23) | bit(24) | bit(25) | bit(26) | bit(27) | bit(28) | bit(29) | bit(30) | bit(31);

// EXIT_SHUTDOWN: pause's exit code on SIGINT/SIGTERM, 1 in MUTANT_WRONG_CODE.
@inline function exitShutdown(w: World): i32 {
  return w.mutant == MUTANT_WRONG_CODE ? 1 : EXIT_OK;
}

// ---------------------------------------------------------------------------
// Where pause.c is: frames and program counters (the model's own)
// ---------------------------------------------------------------------------

// Each call of on_shutdown() or on_child(), as a handler or from run()'s
// switch, is a frame on pause's stack: its event, its signal, how far it got
// (PC_*), and whether it is a handler. Handlers nest, so frames stack.
const PC_CALL: i32 = 0;   // on_shutdown: say(); on_child: waitpid()
const PC_EXIT: i32 = 1;   // on_shutdown: sys_exit()
const PC_RETURN: i32 = 2; // a handler returns (rt_sigreturn)
const PC_EXIT_STATUS: i32 = 3; // on_child, init mode: exit with the program's status

// The handlers design's run() loop: for (;;) sys_pause();
const MAIN_IN_PAUSE: i32 = 0;   // asleep in pause()
const MAIN_RETURNED: i32 = 1;   // pause() returned -1/EINTR after a handler

// A call of the event's function for sig: a new frame on top.
function push(w: World, event: i32, sig: i32, handler: bool): void {
  assert(w.depth < MAX_FRAMES, "pause: handler frames overflow");
  w.frameEvent[w.depth] = event;
  w.frameSig[w.depth] = sig;
  w.framePc[w.depth] = PC_CALL;
  w.frameHandler[w.depth] = handler;
  w.depth++;
}

// ---------------------------------------------------------------------------
// System calls: the kernel model (kernel/*.ts) stands for libc and raw calls
// ---------------------------------------------------------------------------
//
//   sys_write(2, ...)          say() below: WASI fd 2
//   sys_exit(code)             die(w, PAUSE, code, 0)          kernel/signals.ts
//   sys_getpid() != 1          !w.pid1
//   sys_waitpid_any_nohang()   waitpidAnyNohang(w)             kernel/wait.ts
//                              (the status: the slot's exitCode/exitSignal)
//   sys_kill(pid, sig)         send(w, pid, sig, false)        kernel/signals.ts
//   sys_kill(-pgid, sig)       killGroup() below
//   prctl(CHILD_SUBREAPER)     w.subreaper[PAUSE] = true
//   fork() + the child         startProgram() below: addProcess(); the
//                              child's setpgid(0, 0), its reset of pause's
//                              dispositions and mask, and its execve()
//   sys_pause()                a step that does nothing: pause sleeps
//   sys_sigaction(sig, h, f)   sigaction(w, sig)               kernel/signals.ts
//   sys_sigaction(sig, SIG_IGN)  sigactionIgnore(w, sig)       kernel/signals.ts
//   set_add(), sys_block(set)  bit(sig), sigprocmaskBlock(w, set)
//   sys_sigwait(set)           sigtimedwait(w, set); 0: pause sleeps
//   a handler's return         sigreturn(w, sig)

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

// say(2, s): one write() of a whole line.
function say(message: string): void {
  process.stderr.write(message);
}

// psignal(sig, "Shutting down, got signal") prints one of these two lines
// (pause.c: shutdown_message[]).
const MESSAGE_INTERRUPT = "Shutting down, got signal: Interrupt\n";
const MESSAGE_TERMINATED = "Shutting down, got signal: Terminated\n";

@inline function shutdownMessage(sig: i32): string {
  return sig == SIGINT ? MESSAGE_INTERRUPT : MESSAGE_TERMINATED;
}

// Init mode's lines: not PID 1 without -s, and the child's failed exec.
const MESSAGE_NOT_PID1 = "Warning: pause should be the first process\n";
const MESSAGE_NO_REAPING = "pause: not PID 1: orphans will not be reaped; use -s or set PAUSE_SUBREAPER\n";

function execFailure(outcome: i32): string {
  return outcome == EXEC_MISSING
    ? "pause: cannot run '" + PROGRAM_MISSING + "': No such file or directory\n"
    : "pause: cannot run '" + PROGRAM_NOT_EXECUTABLE + "': Permission denied\n";
}

// Is code one of the -e codes?
@inline function expected(w: World, code: i32): bool {
  return (w.expect[code >> 5] & ((<u32>1) << <u32>(code & 31))) != 0;
}

// The exit code for the program's wait status: its exit code, or 128+N when
// signal N killed it (N in MUTANT_SIGNAL_AS_CODE); then -e codes become 0
// (MUTANT_EXIT_ZERO: always 0).
function exitStatus(w: World): i32 {
  const p = w.program;
  const sig = w.exitSignal[p];
  let code = sig != 0 ? (w.mutant == MUTANT_SIGNAL_AS_CODE ? sig : 128 + sig) : w.exitCode[p];
  if (expected(w, code)) code = EXIT_OK;
  if (w.mutant == MUTANT_EXIT_ZERO) code = EXIT_OK;
  return code;
}

// kill(-pgid, sig): every living process of the program's group, the
// newest first (the kernel's per-group list has the newest at its head),
// all queued before any acts (kernel/signals.ts sendGroup).
function killGroup(w: World, sig: i32): void {
  let count = 0;
  for (let i = w.count - 1; i >= w.program; i--) {
    if (w.pgid[i] == w.program && alive(w, i)) count++;
  }
  const members = new StaticArray<i32>(count);
  let n = 0;
  for (let i = w.count - 1; i >= w.program; i--) {
    if (w.pgid[i] == w.program && alive(w, i)) members[n++] = i;
  }
  sendGroup(w, members, count, sig);
}

// kill() to the program, or to its group with -g; ESRCH (a zombie, or
// nobody left) changes nothing.
function forward(w: World, sig: i32): void {
  w.forwardCount[sig] += 1;
  if (w.group) killGroup(w, sig);
  else send(w, w.program, sig, false);
}

// ---------------------------------------------------------------------------
// The two events, shared by both designs
// ---------------------------------------------------------------------------

// on_shutdown(), EVENT_SHUTDOWN: SIGINT or SIGTERM. Say which
// (SHUTTING_DOWN), and exit; one action per call.
function onShutdown(w: World, top: i32): void {
  if (w.framePc[top] == PC_CALL) {
    say(shutdownMessage(w.frameSig[top]));
    w.framePc[top] = PC_EXIT;
    return;
  }
  die(w, PAUSE, exitShutdown(w), 0);
}

// on_forward(), EVENT_FORWARD (init mode): one kill() (FORWARDING), then a
// handler returns in a step of its own.
function onForward(w: World, top: i32): void {
  if (w.framePc[top] == PC_RETURN) {
    returnFrom(w, top);
    return;
  }
  if (w.mutant != MUTANT_FORWARD_NOTHING) forward(w, w.frameSig[top]);
  if (w.frameHandler[top]) w.framePc[top] = PC_RETURN;
  else w.depth--;
}

// A handler's frame returns (rt_sigreturn): pause() returns once the last
// frame is gone (rule 4).
function returnFrom(w: World, top: i32): void {
  sigreturn(w, w.frameSig[top]);
  w.depth--;
  if (w.depth == 0) w.main = MAIN_RETURNED;
}

// on_child(), EVENT_CHILD: SIGCHLD. Standard signals coalesce, so one
// SIGCHLD may stand for many dead children: reap until waitpid() says no
// zombie is left (0: children alive, none dead; -1: no children at all).
// One waitpid() per call; a handler then returns in a step of its own.
// Init mode: the program's status is kept when it is reaped; after the
// drain, if the program is gone, pause exits with that status (a step of
// its own, PC_EXIT_STATUS). The whole drain comes first, so no adopted
// zombie is left behind (MUTANT_EXIT_EARLY exits at once).
function onChild(w: World, top: i32): void {
  const pc = w.framePc[top];
  if (pc == PC_RETURN) {
    returnFrom(w, top);
    return;
  }
  if (pc == PC_EXIT_STATUS) {
    w.zombiesAtExit = w.zombies[PAUSE];
    die(w, PAUSE, exitStatus(w), 0);
    return;
  }
  const r = waitpidAnyNohang(w);
  if (w.init && r > 0 && r == w.program) {
    w.programReaped = true;
    if (w.mutant == MUTANT_EXIT_EARLY) { w.framePc[top] = PC_EXIT_STATUS; return; }
  }
  let again = r > 0;
  if (w.mutant == MUTANT_REAP_ONCE) again = false;
  if (w.mutant == MUTANT_REAP_ECHILD) again = r >= 0;
  if (again) return;
  if (w.init) {
    if (w.programReaped) { w.framePc[top] = PC_EXIT_STATUS; return; }
    if (w.mutant == MUTANT_FORWARD_CHLD) forward(w, SIGCHLD);
  }
  if (w.frameHandler[top]) w.framePc[top] = PC_RETURN;
  else w.depth--;
}

// Which event a signal is: on_child for SIGCHLD; on_shutdown for SIGINT
// and SIGTERM, or in init mode on_forward for every forwarded signal (the
// handlers design's takeover table, the sigwait design's switch).
@inline function eventOf(w: World, sig: i32): i32 {
  if (sig == SIGCHLD) return EVENT_CHILD;
  return w.init ? EVENT_FORWARD : EVENT_SHUTDOWN;
}

// kernel_reaps(): who reaps, pause with waitpid() on SIGCHLD or, in the
// autoreap design's reference mode, the kernel (SIGCHLD at SIG_IGN).
@inline function kernelReaps(w: World): bool {
  return w.design == DESIGN_AUTOREAP && !w.init;
}

// The signals pause takes: reference mode INT, TERM and CHLD; init mode
// every forwarded one and CHLD; not CHLD where the kernel reaps
// (MUTANT_NO_TERM and MUTANT_NO_CHLD leave theirs out).
function taken(w: World): u32 {
  let set = w.init ? FORWARDED | bit(SIGCHLD) : bit(SIGINT) | bit(SIGTERM) | bit(SIGCHLD);
  if (kernelReaps(w)) set &= ~bit(SIGCHLD);
  if (w.mutant == MUTANT_NO_TERM) set &= ~bit(SIGTERM);
  if (w.mutant == MUTANT_NO_CHLD) set &= ~bit(SIGCHLD);
  return set;
}

// ---------------------------------------------------------------------------
// Design: asynchronous handlers and a pause() loop
// ---------------------------------------------------------------------------

// run(), DESIGN_HANDLERS, up to WAITING: one sys_sigaction() per row of the
// takeover table: on_shutdown for INT and TERM (init mode: on_forward for
// every forwarded signal), on_child with SA_NOCLDSTOP for CHLD.
function runHandlers(w: World): void {
  const set = taken(w);
  for (let sig = 1; sig < 32; sig++) {
    if (set & bit(sig)) sigaction(w, sig);
  }
}

// run(), DESIGN_HANDLERS, in WAITING: for (;;) sys_pause(); each signal runs
// its handler (pauseStep() delivers it), then pause() returns (rule 4) and
// is called again. false while pause sleeps in it.
@inline function waitHandlers(w: World): bool {
  if (w.main == MAIN_RETURNED) { w.main = MAIN_IN_PAUSE; w.steps++; return true; }
  return false;
}

// ---------------------------------------------------------------------------
// Design: blocked signals taken synchronously from a wait loop
// ---------------------------------------------------------------------------

// run(), DESIGN_SIGWAIT (and DESIGN_AUTOREAP), up to WAITING. SIGCHLD stays
// at its default action with SA_NOCLDSTOP (sys_sigaction(SIGCHLD, SIG_DFL,
// SA_NOCLDSTOP)), which in the model is the rule anyway: a stopped or
// continued child sends nothing; where the kernel reaps, SIGCHLD is set to
// SIG_IGN instead (MUTANT_NO_CHLD: left at its default). Then the waited
// signals are blocked; blocked signals are never dropped, not even for a
// namespace init.
function runSigwait(w: World): void {
  if (kernelReaps(w) && w.mutant != MUTANT_NO_CHLD) sigactionIgnore(w, SIGCHLD);
  w.waited = taken(w);
  sigprocmaskBlock(w, w.waited);
}

// run(), DESIGN_SIGWAIT and DESIGN_AUTOREAP, in WAITING: one sys_sigwait(), the lowest-numbered
// pending signal first, and its case of the switch: on_shutdown for SIGINT
// and SIGTERM (EVENT_SHUTDOWN), or in init mode on_forward for every
// forwarded signal (EVENT_FORWARD: FORWARDING), on_child for SIGCHLD
// (EVENT_CHILD: REAPING).
// false while nothing is pending: pause sleeps in the wait.
@inline function waitSigwait(w: World): bool {
  const sig = sigtimedwait(w, w.waited);
  if (sig == 0) return false;
  w.steps++;
  push(w, eventOf(w, sig), sig, false);
  return true;
}

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Init mode: the program
// ---------------------------------------------------------------------------

// fork() and the child's side: its own process group (setpgid(0, 0)),
// pause's dispositions back to SIG_DFL and its original (empty) mask, then
// execve() with the PATH search. The model's new process already has
// default dispositions and an empty mask. A failed exec: one line on
// stderr, _exit(127) when nothing was found, 126 when it may not run.
function startProgram(w: World, reaps: bool): void {
  const p = addProcess(w, PAUSE, reaps);
  w.program = p;
  w.pgid[p] = p;
  if (w.execOutcome == EXEC_OK) return;
  say(execFailure(w.execOutcome));
  die(w, p, w.execOutcome == EXEC_MISSING ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, 0);
}

// main() in init mode: the signals first (run()'s setup, before the fork, so
// nothing is lost), then not PID 1: a subreaper with -s, else the warning
// and how to fix it; then the program.
function mainInit(w: World, subreaper: bool, reaps: bool): void {
  if (w.design == DESIGN_HANDLERS) runHandlers(w);
  else runSigwait(w);
  reapLeftovers(w);
  if (!w.pid1) {
    if (subreaper) w.subreaper[PAUSE] = true;
    else { say(MESSAGE_NOT_PID1); say(MESSAGE_NO_REAPING); }
  }
  startProgram(w, reaps);
}

// ---------------------------------------------------------------------------

// reap_leftovers(): zombies from before the exec, reaped once at the start.
// The model's pause starts with no children, so the first waitpid() says
// ECHILD; it is here to keep the order of pause.c.
function reapLeftovers(w: World): void {
  while (waitpidAnyNohang(w) > 0) { /* a zombie from before the exec */ }
}

// main(): warn when not PID 1 (not an error: pause also sees use outside of
// infra containers), then run() up to WAITING, reaping what pause had before
// its exec. Init mode: mainInit().
export function main(w: World, subreaper: bool, reaps: bool): void {
  if (w.init) { mainInit(w, subreaper, reaps); return; }
  if (!w.pid1) say(MESSAGE_NOT_PID1);
  if (w.design == DESIGN_HANDLERS) runHandlers(w);
  else runSigwait(w);
  reapLeftovers(w);
}

// ---------------------------------------------------------------------------
// One atomic action of pause (the model's scheduler; not in pause.c)
// ---------------------------------------------------------------------------

// One step of pause; false when it is blocked (or gone, or stopped).
export function pauseStep(w: World): bool {
  if (w.state[PAUSE] != RUNNING) return false;
  // The kernel first: it delivers every unblocked pending signal before
  // pause's code runs again, each new handler frame on top of the last.
  const sig = getSignal(w);
  if (sig != NO_SIGNAL) {
    w.steps++;
    if (sig != 0) push(w, eventOf(w, sig), sig, true);
    return true;
  }
  // Then pause's code: the innermost call it is in.
  if (w.depth > 0) {
    const top = w.depth - 1;
    w.steps++;
    const event = w.frameEvent[top];
    if (event == EVENT_SHUTDOWN) onShutdown(w, top);
    else if (event == EVENT_FORWARD) onForward(w, top);
    else onChild(w, top);
    return true;
  }
  // Else run()'s loop.
  return w.design == DESIGN_HANDLERS ? waitHandlers(w) : waitSigwait(w);
}

// pause's state, as in pause.c: EXITED once it is dead, WAITING in run()'s
// loop, else by the innermost call: REAPING in on_child(), SHUTTING_DOWN in
// on_shutdown(), FORWARDING in on_forward().
export function pauseState(w: World): i32 {
  if (!alive(w, PAUSE)) return EXITED;
  if (w.depth == 0) return WAITING;
  const event = w.frameEvent[w.depth - 1];
  return event == EVENT_CHILD ? REAPING : event == EVENT_FORWARD ? FORWARDING : SHUTTING_DOWN;
}
