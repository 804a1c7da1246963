// pause: native/pause.c in both signal designs, as a state machine over the
// kernel model (kernel/*.ts, the rules of ../shared/SEMANTICS.md). Read it
// beside pause.c: the same sections in the same order, the same states and
// events, each function saying which C function it mirrors.
//
//   state    WAITING   blocked in pause() or the signal wait
//            REAPING   calling waitpid(-1, WNOHANG) until it returns <= 0
//            SHUTTING_DOWN  between on_shutdown()'s write() and its _exit()
//            EXITED    gone, with exit code 0
//   event    EVENT_SHUTDOWN  SIGINT or SIGTERM arrived: print, exit 0
//            EVENT_CHILD     SIGCHLD arrived: reap every zombie
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
import {
  SIGINT, SIGTERM, SIGCHLD, NO_SIGNAL, bit, getSignal, sigaction, sigprocmaskBlock, sigreturn, sigtimedwait,
} from "./kernel/signals";
import { die } from "./kernel/exit";
import { waitpidAnyNohang } from "./kernel/wait";

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

// pause.c's exit codes: only EXIT_OK is reachable here.
const EXIT_OK: i32 = 0;

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
//   sys_exit(code)             die(w, PAUSE, code, 0)          kernel/exit.ts
//   sys_getpid() != 1          !w.pid1
//   sys_waitpid_any_nohang()   waitpidAnyNohang(w)             kernel/wait.ts
//   sys_pause()                a step that does nothing: pause sleeps
//   sys_sigaction(sig, h, f)   sigaction(w, sig)               kernel/signals.ts
//   set_add(), sys_block(set)  bit(sig), sigprocmaskBlock(w, set)
//   sys_sigwait(set)           sigtimedwait(w, set); 0: pause sleeps
//   a handler's return         sigreturn(w, sig)

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/** Lines written to fd 2 so far, by every world. */
export let messagesWritten: i32 = 0;

// say(2, s): one write() of a whole line.
function say(message: string): void {
  process.stderr.write(message);
  messagesWritten++;
}

// psignal(sig, "Shutting down, got signal") prints one of these two lines
// (pause.c: shutdown_message[]).
const MESSAGE_INTERRUPT = "Shutting down, got signal: Interrupt\n";
const MESSAGE_TERMINATED = "Shutting down, got signal: Terminated\n";

@inline function shutdownMessage(sig: i32): string {
  return sig == SIGINT ? MESSAGE_INTERRUPT : MESSAGE_TERMINATED;
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

// on_child(), EVENT_CHILD: SIGCHLD. Standard signals coalesce, so one
// SIGCHLD may stand for many dead children: reap until waitpid() says no
// zombie is left (0: children alive, none dead; -1: no children at all).
// One waitpid() per call; a handler then returns in a step of its own.
function onChild(w: World, top: i32): void {
  if (w.framePc[top] == PC_RETURN) {
    sigreturn(w, w.frameSig[top]);
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

// Which of the two a signal calls: on_child for SIGCHLD, on_shutdown for
// SIGINT and SIGTERM (the handlers design's takeover table, the sigwait
// design's switch).
@inline function eventOf(sig: i32): i32 {
  return sig == SIGCHLD ? EVENT_CHILD : EVENT_SHUTDOWN;
}

// ---------------------------------------------------------------------------
// Design: asynchronous handlers and a pause() loop
// ---------------------------------------------------------------------------

// run(), DESIGN_HANDLERS, up to WAITING: one sys_sigaction() per row of the
// takeover table.
function runHandlers(w: World): void {
  sigaction(w, SIGINT);                                  // on_shutdown
  if (w.mutant != MUTANT_NO_TERM) sigaction(w, SIGTERM); // on_shutdown
  if (w.mutant != MUTANT_NO_CHLD) sigaction(w, SIGCHLD); // on_child, SA_NOCLDSTOP
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

// run(), DESIGN_SIGWAIT, up to WAITING. SIGCHLD stays at its default action
// with SA_NOCLDSTOP (sys_sigaction(SIGCHLD, SIG_DFL, SA_NOCLDSTOP)), which in
// the model is the rule anyway: a stopped or continued child sends nothing.
// Then the waited signals are blocked; blocked signals are never dropped, not
// even for a namespace init.
function runSigwait(w: World): void {
  let waited = bit(SIGINT);
  if (w.mutant != MUTANT_NO_TERM) waited |= bit(SIGTERM);
  if (w.mutant != MUTANT_NO_CHLD) waited |= bit(SIGCHLD);
  w.waited = waited;
  sigprocmaskBlock(w, waited);
}

// run(), DESIGN_SIGWAIT, in WAITING: one sys_sigwait(), the lowest-numbered
// pending signal first, and its case of the switch: on_shutdown for SIGINT
// and SIGTERM (EVENT_SHUTDOWN), on_child for SIGCHLD (EVENT_CHILD: REAPING).
// false while nothing is pending: pause sleeps in the wait.
@inline function waitSigwait(w: World): bool {
  const sig = sigtimedwait(w, w.waited);
  if (sig == 0) return false;
  w.steps++;
  push(w, eventOf(sig), sig, false);
  return true;
}

// ---------------------------------------------------------------------------

// main(): warn when not PID 1 (not an error: pause also sees use outside of
// infra containers), then run() up to WAITING.
export function main(w: World): void {
  if (!w.pid1) say("Warning: pause should be the first process\n");
  if (w.design == DESIGN_HANDLERS) runHandlers(w);
  else runSigwait(w);
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
    if (sig != 0) push(w, eventOf(sig), sig, true);
    return true;
  }
  // Then pause's code: the innermost call it is in.
  if (w.depth > 0) {
    const top = w.depth - 1;
    w.steps++;
    if (w.frameEvent[top] == EVENT_SHUTDOWN) onShutdown(w, top);
    else onChild(w, top);
    return true;
  }
  // Else run()'s loop.
  return w.design == DESIGN_HANDLERS ? waitHandlers(w) : waitSigwait(w);
}

// pause's state, as in pause.c: EXITED once it is dead, WAITING in run()'s
// loop, else by the innermost call: REAPING in on_child(), SHUTTING_DOWN in
// on_shutdown().
export function pauseState(w: World): i32 {
  if (!alive(w, PAUSE)) return EXITED;
  if (w.depth == 0) return WAITING;
  return w.frameEvent[w.depth - 1] == EVENT_CHILD ? REAPING : SHUTTING_DOWN;
}
