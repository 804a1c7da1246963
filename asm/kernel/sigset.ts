// Signal numbers and signal sets: the constants and bit arithmetic every
// part of the model shares (the kernel's rules in signals.ts, pause's
// program in ../pause.ts, the invariant checks in check.ts). It imports
// only coverage.ts, a leaf, so any file may import it without joining a
// cycle.

import { fired, RULE_K2 } from "./coverage";

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

/** getSignal(): no unblocked signal is pending. */
export const NO_SIGNAL: i32 = -1;

// A signal's bit in a set (bit n = signal n), as the kernel's sigmask().
export function bit(sig: i32): u32 {
  return (<u32>1) << <u32>sig;
}

// Default action "ignore" (kernel SIG_KERNEL_IGNORE_MASK).
export const IGNORE_MASK: u32 = bit(SIGCONT) | bit(SIGCHLD) | bit(23) /* URG */ | bit(28) /* WINCH */;
// Default action "stop" (SIG_KERNEL_STOP_MASK).
export const STOP_MASK: u32 = bit(SIGSTOP) | bit(20) | bit(21) | bit(22);
// Default action "core dump": stays pending on a stopped process.
export const COREDUMP_MASK: u32 = bit(3) | bit(4) | bit(5) | bit(6) | bit(7) | bit(8) | bit(11) |
  bit(24) | bit(25) | bit(31);
// Taken first by next_signal() (kernel/signal.c SYNCHRONOUS_MASK).
const SYNCHRONOUS_MASK: u32 = bit(11) | bit(7) | bit(4) | bit(5) | bit(8) | bit(31);

// next_signal(): synchronous signals first, then the lowest-numbered.
export function nextSignal(set: u32): i32 {
  if (popcnt(set) > 1) fired(RULE_K2);
  let x = set;
  if (x & SYNCHRONOUS_MASK) x &= SYNCHRONOUS_MASK;
  return <i32>ctz(x);
}

// Default action kills (sig_fatal).
export function fatalByDefault(sig: i32): bool {
  return (bit(sig) & (IGNORE_MASK | STOP_MASK)) == 0;
}
