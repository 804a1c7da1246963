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
export const SIGTSTP: i32 = 20;
export const SIGTTIN: i32 = 21;
export const SIGTTOU: i32 = 22;

/** The kernel's signals: 1..64; 32 and 33 are the C library's own, 34..64 a program's real-time signals (K16). */
export const SIGNAL_LAST: i32 = 64;
export const SIGRTMIN: i32 = 34;
export const SIGRTMAX: i32 = 64;
// The first signal the kernel queues rather than coalesces (its SIGRTMIN).
export const FIRST_QUEUED: i32 = 32;
/** Per process and real-time signal, the model queues this many kill()s (K16). */
export const RT_QUEUE_MAX: i32 = 1024;

/** The disposition step's actions (src/scenario/types.ts DispositionAction). */
export const ACTION_DEFAULT: i32 = 0;
export const ACTION_IGNORE: i32 = 1;
export const ACTION_CATCH: i32 = 2;
export const ACTION_BLOCK: i32 = 3;

/** getSignal(): no unblocked signal is pending. */
export const NO_SIGNAL: i32 = -1;

// A signal's bit in a set, as the kernel's sigmask(): bit n-1 is signal n,
// so the 64 signals fill one u64.
export function bit(sig: i32): u64 {
  return (<u64>1) << <u64>(sig - 1);
}

// The signals of 1..64 no set may hold: 32 and 33, the C library's.
export const RESERVED_MASK: u64 = bit(32) | bit(33);
// The real-time signals a program may use, 34..64.
export const REALTIME_MASK: u64 = ~(bit(SIGRTMIN) - 1);
// Default action "ignore" (kernel SIG_KERNEL_IGNORE_MASK).
export const IGNORE_MASK: u64 = bit(SIGCONT) | bit(SIGCHLD) | bit(23) /* URG */ | bit(28) /* WINCH */;
// Default action "stop" (SIG_KERNEL_STOP_MASK); TSTP, TTIN and TTOU are the
// job-control ones, which a process of an orphaned process group discards.
export const STOP_MASK: u64 = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);
// Default action "core dump": stays pending on a stopped process.
export const COREDUMP_MASK: u64 = bit(3) | bit(4) | bit(5) | bit(6) | bit(7) | bit(8) | bit(11) |
  bit(24) | bit(25) | bit(31);
// Taken first by next_signal() (kernel/signal.c SYNCHRONOUS_MASK).
const SYNCHRONOUS_MASK: u64 = bit(11) | bit(7) | bit(4) | bit(5) | bit(8) | bit(31);

// The lowest signal of a non-empty set.
@inline export function lowest(set: u64): i32 {
  return <i32>ctz(set) + 1;
}

// next_signal(): synchronous signals first, then the lowest-numbered, the
// standard ones (1..31) before the real-time ones (K2, K16).
export function nextSignal(set: u64): i32 {
  if (popcnt(set) > 1) fired(RULE_K2);
  let x = set;
  if (x & SYNCHRONOUS_MASK) x &= SYNCHRONOUS_MASK;
  return lowest(x);
}

// Default action kills (sig_fatal): every real-time signal does.
export function fatalByDefault(sig: i32): bool {
  return (bit(sig) & (IGNORE_MASK | STOP_MASK)) == 0;
}

// Queued, one delivery per kill(), rather than coalesced (K16).
@inline export function isQueued(sig: i32): bool {
  return sig >= FIRST_QUEUED;
}

// A valid signal number of a scenario: 1..64 but the C library's 32 and 33.
export function validSignal(sig: i32): bool {
  return sig >= 1 && sig <= SIGNAL_LAST && (bit(sig) & RESERVED_MASK) == 0;
}
