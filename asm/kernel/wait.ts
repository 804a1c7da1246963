// wait(): a parent reaps its zombie children, oldest in its children list
// first. pause calls waitpid(-1, NULL, WNOHANG); a named process that reaps
// takes every zombie child it has as soon as it runs; the runner (outside)
// reaps at once (signals.ts, notifyParent).
import { World, PAUSE, GONE, ZOMBIE } from "./world";
import { firstZombieChild, unlinkChild } from "./table";
import { fired, RULE_K5 } from "./coverage";

// release_task(): the zombie leaves its parent's list and the table.
export function reap(w: World, child: i32, by: i32): void {
  assert(w.state[child] == ZOMBIE && w.parent[child] == by, "pause: reaping a zombie of someone else");
  unlinkChild(w, child);
  w.state[child] = GONE;
  w.reapCount[child] += 1;
  w.reapedBy[child] = by;
  w.parent[child] = -1;
}

// A named process that reaps takes every zombie child it has, in the order
// of its children list, as soon as it runs.
export function reapAllOf(w: World, pid: i32): void {
  for (;;) {
    const z = firstZombieChild(w, pid);
    if (z < 0) return;
    reap(w, z, pid);
  }
}

// waitpid(-1, NULL, WNOHANG) by pause: a zombie's slot (and reap it), 0 if
// children live but none is dead, -1 (ECHILD) if there are none (K5).
export function waitpidAnyNohang(w: World): i32 {
  fired(RULE_K5);
  const z = firstZombieChild(w, PAUSE);
  if (z >= 0) { reap(w, z, PAUSE); return z; }
  // No zombie is left in the list: whatever is in it lives.
  return w.children[PAUSE] > w.zombies[PAUSE] ? 0 : -1;
}
