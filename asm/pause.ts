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

import { World, MAX_FRAMES, PAUSE, RUNNING, STOPPED } from "./kernel/world";
import { SIGINT, SIGKILL, SIGCHLD, SIGSTOP, bit, nextSignal, fatalByDefault } from "./kernel/signals";
import { die } from "./kernel/exit";
import { waitpidAnyNohang } from "./kernel/wait";



// What psignal(sig, "Shutting down, got signal") prints.
const MESSAGE_INTERRUPT = "Shutting down, got signal: Interrupt\n";
const MESSAGE_TERMINATED = "Shutting down, got signal: Terminated\n";
export const MESSAGE_NOT_PID1 = "Warning: pause should be the first process\n";

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


// ---------------------------------------------------------------------------
// pause's program (pause.c, both designs)
// ---------------------------------------------------------------------------

export let messagesWritten: i32 = 0;

export function say(message: string): void {
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
export function pauseStep(w: World): bool {
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
