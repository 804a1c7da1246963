// pause: native/pause.c in its three signal designs and both modes, as a
// state machine over the kernel model (kernel/*.ts, the rules of
// docs/model.md). The twin of pause.c: the same sections in the same
// order, the same states and events with the same values, and each function
// named as the C function it mirrors (snake_case there, camelCase here).
// test/twins.test.ts reads both files and fails where their states, events
// or order of steps differ.
//
//   states   WAITING        blocked in pause() or the signal wait
//            REAPING        in onChild(): waitpid(-1, WNOHANG) until <= 0
//            SHUTTING_DOWN  in onShutdown(): between the signal and _exit()
//            FORWARDING     in onForward(): between the signal and its kill()
//            EXITED         gone, with its exit code
//   events   EVENT_SHUTDOWN reference mode: SIGINT or SIGTERM: say, exit 0
//            EVENT_FORWARD  init mode: a forwarded signal: kill() the
//                           program (its process group with -g)
//            EVENT_CHILD    SIGCHLD: reap every zombie; init mode: once the
//                           program is among them, exit with its status
//                           (128+N if signal N killed it; -e codes 0)
//
//   start      reference mode (startReference): warnIfNotPid1, takeSignals,
//              reapLeftovers; init mode (startInit): the same, then
//              startProgram, which forks the program (a process of the
//              kernel model) and plays its side up to its exec
//   main loop  WAITING; each signal taken is an event (eventOf), run in its
//              state by onSignal: onShutdown, onForward or onChild
//   exit       onShutdown's exitReference(), or onChild's exitAsProgram()
//
// The model runs pause one atomic action at a time (pauseStep(), at the
// end): delivering one signal, taking one from the wait, one waitpid(),
// returning from a handler, writing its message, exiting; so the host can
// put external events between any two of them. Each call of an event's
// function, from the wait or as a handler, is a frame on pause's stack
// (frames.ts): handlers nest, so frames stack (K3). pause's stderr goes to WASI fd
// 2, byte for byte what the native program writes. No clock and no
// randomness anywhere.
//
// Not modelled: the command line (-v, -h, the options: the host passes the
// mode and options), the setup failures (the model's sigaction(),
// sigprocmask() and fork() cannot fail), and SIGPIPE around pause's writes
// (a write to WASI fd 2 raises none).
import { World, PAUSE, RUNNING } from "./kernel/world";
import { alive } from "./kernel/table";
import { addProcess } from "./kernel/table";
import { SIGINT, SIGTERM, SIGCHLD, SIGRTMAX, NO_SIGNAL, REALTIME_MASK, bit } from "./kernel/sigset";
import {
  die, getSignal, send, sendGroup, sigaction, sigactionDefault, sigactionIgnore, sigprocmaskBlock, sigprocmaskUnblock,
  sigtimedwait,
} from "./kernel/signals";
import { waitpidAnyNohang } from "./kernel/wait";
import { fired, moved, took, RULE_K11, RULE_K14 } from "./kernel/coverage";
import { MAIN_IN_PAUSE, MAIN_RETURNED, PC_CALL, PC_EXIT, PC_EXIT_STATUS, PC_RETURN, done, push, returnFrom } from "./frames";

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
export const EXEC_DIRECTORY: i32 = 3;      // EACCES (a directory): 126
export const EXEC_NAME_TOO_LONG: i32 = 4;  // ENAMETOOLONG (past NAME_MAX): 126
export const EXEC_LAST: i32 = 4;

/** The program's name for each failing exec (the kernel engine's files). */
const PROGRAM_MISSING = "pausekit-missing-program";
const PROGRAM_NOT_EXECUTABLE = "pausekit-not-executable";
const PROGRAM_DIRECTORY = "pausekit-directory";
// 256 bytes, one past NAME_MAX: pause's PATH search looks nothing up.
const PROGRAM_NAME_TOO_LONG = "pausekit-name-too-long-" + "x".repeat(256 - 23);

// pause.c's exit codes the model can reach: reference mode's 0 (and the 1
// of MUTANT_WRONG_CODE); the child's 126 and 127 in init mode, whose own
// exit is otherwise the program's status.
const REFERENCE_OK: i32 = 0;
const REFERENCE_SIGINT_SETUP: i32 = 1;
const INIT_CANNOT_RUN: i32 = 126;
const INIT_NOT_FOUND: i32 = 127;

/** pause's states (pause.c: enum state). */
export const WAITING: i32 = 0;
export const REAPING: i32 = 1;
export const EXITED: i32 = 2;
export const SHUTTING_DOWN: i32 = 3;
export const FORWARDING: i32 = 4;

/** pause's events (pause.c: enum event). */
export const EVENT_SHUTDOWN: i32 = 1;
export const EVENT_CHILD: i32 = 2;
export const EVENT_FORWARD: i32 = 3;

// The signals init mode forwards (pause.c FORWARDED_STANDARD and 34..64):
// everything pause can catch but SIGCHLD and the faults the CPU raises
// (ILL TRAP BUS FPE SEGV). HUP INT QUIT ABRT USR1 USR2 PIPE ALRM TERM
// STKFLT CONT TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS, and
// the real-time signals.
const FORWARDED: u64 = bit(1) | bit(2) | bit(3) | bit(6) | bit(10) | bit(12) | bit(13) | bit(14) | bit(15) |
  bit(16) | bit(18) | bit(20) | bit(21) | bit(22) | bit(23) | bit(24) | bit(25) | bit(26) | bit(27) | bit(28) |
  bit(29) | bit(30) | bit(31) | REALTIME_MASK;

// ---------------------------------------------------------------------------
// System calls: the kernel model (kernel/*.ts) stands for libc and raw calls
// ---------------------------------------------------------------------------
//
//   sys_write(2, ...)          say() below: WASI fd 2
//   sys_exit(code)             die(w, PAUSE, code, 0)          kernel/signals.ts
//   sys_getpid() == 1          w.pid1
//   sys_wait_any()             waitpidAnyNohang(w)             kernel/wait.ts
//                              (the status: the slot's exitCode/exitSignal)
//   sys_kill(pid, sig)         send(w, pid, sig, false)        kernel/signals.ts
//   sys_kill(-pgid, sig)       killGroup() below
//   prctl(CHILD_SUBREAPER)     w.subreaper[PAUSE] = true
//   sys_fork()                 addProcess()                    kernel/table.ts
//   sys_pause()                a step that does nothing: pause sleeps
//   sys_sigaction(sig, h, f)   sigaction(w, sig)               kernel/signals.ts
//   sys_sigaction(sig, SIG_IGN)  sigactionIgnore(w, sig)       kernel/signals.ts
//   sys_sigaction(sig, SIG_DFL)  sigactionDefault(w, sig)      kernel/signals.ts
//   set_add(), SIG_BLOCK       bit(sig), sigprocmaskBlock(w, set)
//   SIG_UNBLOCK                sigprocmaskUnblock(w, set)
//   prctl(GET_CHILD_SUBREAPER) w.subreaper[PAUSE]
//   sys_sigwait(set)           sigtimedwait(w, set); 0: pause sleeps
//   a handler's return         sigreturn(w, sig)

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

// leave(): every exit of pause itself.
function leave(w: World, code: i32): void {
  die(w, PAUSE, code, 0);
}

// exit_reference(): reference mode's exit, with one of its own codes.
function exitReference(w: World, code: i32): void {
  leave(w, code);
}

// say(2, s): one write() of a whole line.
function say(message: string): void {
  process.stderr.write(message);
}

// What psignal(sig, "Shutting down, got signal") prints for SIGINT and
// SIGTERM, on_shutdown()'s two lines.
const MESSAGE_INTERRUPT = "Shutting down, got signal: Interrupt\n";
const MESSAGE_TERMINATED = "Shutting down, got signal: Terminated\n";

// warn_if_not_pid1()'s lines: not PID 1; init mode, and not a subreaper.
const MESSAGE_NOT_PID1 = "Warning: pause should be the first process\n";
const MESSAGE_NO_REAPING = "pause: not PID 1: orphans will not be reaped; use -s or set PAUSE_SUBREAPER\n";

// kernel_reaps: who reaps, pause with waitpid() on SIGCHLD or, in the
// autoreap design's reference mode, the kernel (SIGCHLD at SIG_IGN).
@inline function kernelReaps(w: World): bool {
  return w.design == DESIGN_AUTOREAP && !w.init;
}

// taken(): the signals pause takes: reference mode INT, TERM and CHLD;
// init mode every forwarded one and CHLD; not CHLD where the kernel reaps
// (MUTANT_NO_TERM and MUTANT_NO_CHLD leave theirs out). A set here, where
// pause.c asks signal by signal.
function taken(w: World): u64 {
  let set = w.init ? FORWARDED | bit(SIGCHLD) : bit(SIGINT) | bit(SIGTERM) | bit(SIGCHLD);
  if (kernelReaps(w)) set &= ~bit(SIGCHLD);
  if (w.mutant == MUTANT_NO_TERM) set &= ~bit(SIGTERM);
  if (w.mutant == MUTANT_NO_CHLD) set &= ~bit(SIGCHLD);
  return set;
}

// ---------------------------------------------------------------------------
// The three events, shared by every design
// ---------------------------------------------------------------------------

// on_shutdown(), EVENT_SHUTDOWN (SHUTTING_DOWN): SIGINT or SIGTERM. Say
// which, then exit (MUTANT_WRONG_CODE: 1); one action per call.
function onShutdown(w: World, top: i32): void {
  if (w.framePc[top] == PC_CALL) {
    say(w.frameSig[top] == SIGINT ? MESSAGE_INTERRUPT : MESSAGE_TERMINATED);
    w.framePc[top] = PC_EXIT;
    return;
  }
  exitReference(w, w.mutant == MUTANT_WRONG_CODE ? REFERENCE_SIGINT_SETUP : REFERENCE_OK);
}

// kill(-pgid, sig): every living process of the program's group, the
// newest first (the kernel's per-group list has the newest at its head),
// all queued before any acts (kernel/signals.ts sendGroup; K14).
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

// sys_kill(target, sig): the program, or its group with -g; ESRCH (a
// zombie, or nobody left) changes nothing.
function forward(w: World, sig: i32): void {
  w.forwardCount[sig] += 1;
  if (w.group) killGroup(w, sig);
  else send(w, w.program, sig, false);
}

// on_forward(), EVENT_FORWARD (FORWARDING, init mode): one kill(); a
// handler then returns in a step of its own.
function onForward(w: World, top: i32): void {
  if (w.framePc[top] == PC_RETURN) {
    returnFrom(w, top);
    return;
  }
  if (w.mutant != MUTANT_FORWARD_NOTHING) forward(w, w.frameSig[top]);
  done(w, top);
}

// Is code one of the -e codes?
@inline function expected(w: World, code: i32): bool {
  return (w.expect[code >> 5] & ((<u32>1) << <u32>(code & 31))) != 0;
}

// The exit code for the program's wait status: its exit code, or 128+N
// when signal N killed it (K11; N in MUTANT_SIGNAL_AS_CODE); then -e
// codes become 0 (MUTANT_EXIT_ZERO: always 0).
function exitStatus(w: World): i32 {
  const p = w.program;
  const sig = w.exitSignal[p];
  if (sig != 0) fired(RULE_K11);
  let code = sig != 0 ? (w.mutant == MUTANT_SIGNAL_AS_CODE ? sig : 128 + sig) : w.exitCode[p];
  if (expected(w, code)) code = 0;
  if (w.mutant == MUTANT_EXIT_ZERO) code = 0;
  return code;
}

// exit_as_program(): the program is gone; exit with its status (the
// zombies pause leaves behind counted for the invariants).
function exitAsProgram(w: World): void {
  w.zombiesAtExit = w.zombies[PAUSE];
  leave(w, exitStatus(w));
}

// on_child(), EVENT_CHILD (REAPING): SIGCHLD. Standard signals coalesce,
// so one SIGCHLD may stand for many dead children: reap until waitpid()
// says no zombie is left (0: children alive, none dead; -1: no children at
// all; K5). One waitpid() per call; a handler then returns in a step
// of its own. Init mode: the program's status is kept when it is reaped;
// after the drain, if the program is gone, pause exits with that status (a
// step of its own). The whole drain comes first, so no adopted zombie is
// left behind (MUTANT_EXIT_EARLY exits at once).
function onChild(w: World, top: i32): void {
  const pc = w.framePc[top];
  if (pc == PC_RETURN) {
    returnFrom(w, top);
    return;
  }
  if (pc == PC_CALL) {
    const r = waitpidAnyNohang(w);
    if (w.init && r > 0 && r == w.program) {
      w.programReaped = true;
      if (w.mutant == MUTANT_EXIT_EARLY) { w.framePc[top] = PC_EXIT_STATUS; return; }
    }
    let again = r > 0;
    if (w.mutant == MUTANT_REAP_ONCE) again = false;
    if (w.mutant == MUTANT_REAP_ECHILD) again = r >= 0;
    if (again) return;
    if (w.init && w.programReaped) { w.framePc[top] = PC_EXIT_STATUS; return; }
    if (w.init && w.mutant == MUTANT_FORWARD_CHLD) forward(w, SIGCHLD);
    done(w, top);
    return;
  }
  exitAsProgram(w);
}

// event_of(): the event a signal pause took is: EVENT_CHILD for SIGCHLD;
// else EVENT_FORWARD in init mode, EVENT_SHUTDOWN (SIGINT, SIGTERM) in
// reference mode.
@inline function eventOf(w: World, sig: i32): i32 {
  if (sig == SIGCHLD) return EVENT_CHILD;
  return w.init ? EVENT_FORWARD : EVENT_SHUTDOWN;
}

// on_signal(): the event's function, in the event's state (pauseState()
// reads it from the frame), one action per call.
function onSignal(w: World, top: i32): void {
  switch (w.frameEvent[top]) {
    case EVENT_SHUTDOWN: onShutdown(w, top); break;
    case EVENT_FORWARD: onForward(w, top); break;
    case EVENT_CHILD: onChild(w, top); break;
  }
}

// reap_leftovers(): zombies from before the exec, reaped once at the
// start. The model's pause starts with no children, so the first
// waitpid() says ECHILD; it is here to keep the order of pause.c.
function reapLeftovers(w: World): void {
  while (waitpidAnyNohang(w) > 0) { /* a zombie from before the exec */ }
}

// ---------------------------------------------------------------------------
// Init mode: the program
// ---------------------------------------------------------------------------

// The line a failing exec writes: the program's name as add_quoted()
// quotes it (its first 200 bytes, "..." if longer) and why.
function execFailure(outcome: i32): string {
  const name = outcome == EXEC_MISSING ? PROGRAM_MISSING
    : outcome == EXEC_NOT_EXECUTABLE ? PROGRAM_NOT_EXECUTABLE
    : outcome == EXEC_DIRECTORY ? PROGRAM_DIRECTORY
    : PROGRAM_NAME_TOO_LONG.slice(0, 200) + "...";
  const why = outcome == EXEC_MISSING ? "No such file or directory"
    : outcome == EXEC_NAME_TOO_LONG ? "File name too long" : "Permission denied";
  return "pause: cannot run '" + name + "': " + why + "\n";
}

// become_program(): the child's side: its own process group
// (setpgid(0, 0); K14), the dispositions pause changed back to what they
// were when it started and its original mask, so that the program starts
// with the mask and ignored signals pause was started with (K13: exec
// keeps both; the model's new process has no handler), then execve() with
// the PATH search. A failed exec: one line on stderr, and the child's
// _exit(127) when nothing was found, 126 when it may not run.
function becomeProgram(w: World, p: i32): void {
  w.pgid[p] = p;
  fired(RULE_K14);
  w.mask[p] = w.startBlocked;
  w.ignoring[p] = w.startIgnored;
  if (w.execOutcome == EXEC_OK) return;
  fired(RULE_K11);
  say(execFailure(w.execOutcome));
  die(w, p, w.execOutcome == EXEC_MISSING ? INIT_NOT_FOUND : INIT_CANNOT_RUN, 0);
}

// start_program(): fork() (the program reaps its own children if reaps),
// the child becomes the program.
function startProgram(w: World, reaps: bool): void {
  const p = addProcess(w, PAUSE, reaps);
  w.program = p;
  becomeProgram(w, p);
}

// ---------------------------------------------------------------------------
// Setup: take the signals, by design
// ---------------------------------------------------------------------------

// take_signals(): the handlers design installs a handler for each signal
// taken (on_shutdown for INT and TERM, on_forward in init mode, on_child
// with SA_NOCLDSTOP for CHLD), which replaces an ignored one's SIG_IGN,
// and unblocks them all (pause.c blocks them until wait_for_signals(): the
// model's start is one atomic action, so here at once); the sigwait design
// sets SIGCHLD to its default action with SA_NOCLDSTOP (K6), or to SIG_IGN
// where the kernel reaps (MUTANT_NO_CHLD: left at its default; K15), and
// blocks the signals it waits for: blocked signals are never dropped, not
// even for a namespace init (K7), nor when ignored.
function takeSignals(w: World): void {
  const set = taken(w);
  if (w.design == DESIGN_HANDLERS) {
    for (let sig = 1; sig <= SIGRTMAX; sig++) {
      if (set & bit(sig)) sigaction(w, sig);
    }
    sigprocmaskUnblock(w, set);
    return;
  }
  if (kernelReaps(w) && w.mutant != MUTANT_NO_CHLD) sigactionIgnore(w, SIGCHLD);
  else sigactionDefault(w, SIGCHLD);
  w.waited = set;
  sigprocmaskBlock(w, set);
}

// warn_if_not_pid1(): not an error (pause also sees use outside of infra
// containers): with -s (init mode) a subreaper; then, unless PID 1 or a
// subreaper (made one, or one already when it started: the flag survives
// exec), the warning, and in init mode how to fix it.
function warnIfNotPid1(w: World, subreaper: bool): void {
  if (subreaper) w.subreaper[PAUSE] = true;
  if (w.pid1 || w.subreaper[PAUSE]) return;
  say(MESSAGE_NOT_PID1);
  if (w.init) say(MESSAGE_NO_REAPING);
}

// ---------------------------------------------------------------------------
// Each mode's start, up to WAITING
// ---------------------------------------------------------------------------

// start_reference(): the warning, the signals, the leftovers.
function startReference(w: World): void {
  warnIfNotPid1(w, false);
  takeSignals(w);
  reapLeftovers(w);
}

// start_init(): the warning or the subreaper, the signals before the fork
// so that none is lost, the leftovers, then the program.
function startInit(w: World, subreaper: bool, reaps: bool): void {
  warnIfNotPid1(w, subreaper);
  takeSignals(w);
  reapLeftovers(w);
  startProgram(w, reaps);
}

// main(), up to WAITING: the host has set the mode (w.init) and passes the
// options; the loop is pauseStep() below.
export function main(w: World, subreaper: bool, reaps: bool): void {
  if (w.init) startInit(w, subreaper, reaps);
  else startReference(w);
}

// ---------------------------------------------------------------------------
// One atomic action of pause (the model's scheduler; pause.c's loop)
// ---------------------------------------------------------------------------

// pause takes a signal: a frame for its event (frames.ts), counted as
// the event taken in the state pause was in.
@inline function take(w: World, sig: i32, handler: bool): void {
  const event = eventOf(w, sig);
  took(pauseState(w), event);
  push(w, event, sig, handler);
}

// DESIGN_HANDLERS, in WAITING: for (;;) sys_pause(); each signal runs its
// handler (pauseStep() delivers it), then pause() returns (K4) and is
// called again. false while pause sleeps in it.
@inline function waitHandlers(w: World): bool {
  if (w.main == MAIN_RETURNED) { w.main = MAIN_IN_PAUSE; w.steps++; return true; }
  return false;
}

// DESIGN_SIGWAIT and DESIGN_AUTOREAP, in WAITING: one sys_sigwait(), the
// lowest-numbered pending signal first (K2), and a frame for its
// event. false while nothing is pending: pause sleeps in the wait.
@inline function waitSigwait(w: World): bool {
  const sig = sigtimedwait(w, w.waited);
  if (sig == 0) return false;
  w.steps++;
  take(w, sig, false);
  return true;
}

// One step of pause; false when it is blocked (or gone, or stopped). A
// step that changes pause's state is counted (from, to).
export function pauseStep(w: World): bool {
  if (w.state[PAUSE] != RUNNING) return false;
  const before = pauseState(w);
  let acted = true;
  // The kernel first: it delivers every unblocked pending signal before
  // pause's code runs again, each new handler frame on top of the last.
  const sig = getSignal(w);
  if (sig != NO_SIGNAL) {
    w.steps++;
    if (sig != 0) take(w, sig, true);
  } else if (w.depth > 0) {
    // Then pause's code: the innermost call it is in.
    w.steps++;
    onSignal(w, w.depth - 1);
  } else {
    // Else the wait.
    acted = w.design == DESIGN_HANDLERS ? waitHandlers(w) : waitSigwait(w);
  }
  const after = pauseState(w);
  if (after != before) moved(before, after);
  return acted;
}

// pause's state, as pause.c records it: EXITED once it is dead, WAITING
// with no frame, else the state of the innermost frame's event.
export function pauseState(w: World): i32 {
  if (!alive(w, PAUSE)) return EXITED;
  if (w.depth == 0) return WAITING;
  switch (w.frameEvent[w.depth - 1]) {
    case EVENT_SHUTDOWN: return SHUTTING_DOWN;
    case EVENT_FORWARD: return FORWARDING;
    case EVENT_CHILD: return REAPING;
  }
  return unreachable();
}
