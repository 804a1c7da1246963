// Test hooks of the debug build only: `npm run build:asm` compiles this file
// as a second entry of the debug target, so the release build has none of it.
import { CHECKING, CORRUPT_LAST, checksRun, corruptAtNextCheck } from "./kernel/check";

/**
 * The next invariant check (after the next action) first breaks the world it
 * checks, one way of kernel/check.ts's CORRUPT_* (1..5): so a test sees the
 * check fire. -7 (ERR_BAD_ARGUMENT) for an unknown way.
 */
export function corrupt(how: i32): i32 {
  if (!CHECKING || how < 1 || how > CORRUPT_LAST) return -7;
  corruptAtNextCheck(how);
  return 0;
}

/** Invariant checks run so far, in every world (one per action). */
export function checks(): i32 {
  return checksRun;
}
