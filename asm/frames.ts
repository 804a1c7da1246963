// Where pause is: its stack of frames and their program counters, the
// model's own (pause.c's are the CPU's). pause.ts runs each frame's
// function one atomic action at a time; a handler's frame returns through
// rt_sigreturn in a step of its own.
import { World, MAX_FRAMES } from "./kernel/world";
import { sigreturn } from "./kernel/signals";
import { fired, RULE_K3, RULE_K4 } from "./kernel/coverage";

// A frame: its event, its signal, how far its function got (PC_*), and
// whether it is a handler (which returns through rt_sigreturn).
export const PC_CALL: i32 = 0;        // onShutdown: say(); onChild: waitpid()
export const PC_EXIT: i32 = 1;        // onShutdown: exitReference()
export const PC_RETURN: i32 = 2;      // a handler returns (rt_sigreturn)
export const PC_EXIT_STATUS: i32 = 3; // onChild, init mode: exitAsProgram()

// The handlers design's wait: for (;;) sys_pause();
export const MAIN_IN_PAUSE: i32 = 0;   // asleep in pause()
export const MAIN_RETURNED: i32 = 1;   // pause() returned -1/EINTR after a handler

// A call of the event's function for sig: a new frame on top (a handler's
// is the kernel's handler frame, K3).
export function push(w: World, event: i32, sig: i32, handler: bool): void {
  assert(w.depth < MAX_FRAMES, "pause: handler frames overflow");
  if (handler) fired(RULE_K3);
  w.frameEvent[w.depth] = event;
  w.frameSig[w.depth] = sig;
  w.framePc[w.depth] = PC_CALL;
  w.frameHandler[w.depth] = handler;
  w.depth++;
}

// A handler's frame returns (rt_sigreturn): pause() returns once the last
// frame is gone (K4).
export function returnFrom(w: World, top: i32): void {
  sigreturn(w, w.frameSig[top]);
  w.depth--;
  if (w.depth == 0) {
    w.main = MAIN_RETURNED;
    fired(RULE_K4);
  }
}

// The frame's function is done: a handler returns in a step of its own,
// a call from the wait loop is simply over.
@inline export function done(w: World, top: i32): void {
  if (w.frameHandler[top]) w.framePc[top] = PC_RETURN;
  else w.depth--;
}
