// The process table's rules: a process is added at the tail of its parent's
// children list (fork, and adoption in signals.ts, keep the list in seq order),
// each list counts its zombies, and a process is alive until it is a zombie.
// Namespaces: in pid1 mode pause is the init of a namespace that holds every
// named process; outside (the runner) is in the parent namespace.
import { World, OUTSIDE, RT_SLOTS, RUNNING, STOPPED, ZOMBIE } from "./world";
import { fired, RULE_K13 } from "./coverage";

// A new slot: a process started by parent (-1: none, for outside itself),
// running, at the tail of its parent's children list. Its slot.
export function addProcess(w: World, parent: i32, reaps: bool): i32 {
  const pid = w.state.length;
  w.state.push(RUNNING); w.parent.push(parent); w.subreaper.push(false);
  w.reaps.push(reaps); w.pending.push(0); w.seq.push(w.childSeq++);
  w.exitCode.push(-1); w.exitSignal.push(0); w.reapCount.push(0);
  w.reapedBy.push(-1);
  // fork(): the child is in its parent's process group (outside: its own).
  w.pgid.push(parent >= 0 ? w.pgid[parent] : pid);
  w.handlers.push(0); w.ignoring.push(0); w.mask.push(0);
  w.caught.push(0); w.catches.push(false);
  for (let i = 0; i < RT_SLOTS; i++) {
    w.queued.push(0);
    w.caughtQueued.push(0);
  }
  w.firstChild.push(-1); w.lastChild.push(-1);
  w.nextSibling.push(-1); w.prevSibling.push(-1);
  w.children.push(0); w.zombies.push(0);
  w.count = w.state.length;
  if (parent >= 0) {
    fired(RULE_K13);
    linkChild(w, pid);
  }
  return pid;
}

// Namespace level: 1 inside pause's PID namespace, 0 outside it.
@inline export function level(w: World, pid: i32): i32 {
  if (pid == OUTSIDE || !w.pid1) return 0;
  return 1;
}

@inline export function alive(w: World, pid: i32): bool {
  const s = w.state[pid];
  return s == RUNNING || s == STOPPED;
}

// Appends child at the tail of its parent's children list (fork, adoption:
// its seq is the newest, so the list stays in seq order).
export function linkChild(w: World, child: i32): void {
  const p = w.parent[child];
  const last = w.lastChild[p];
  w.prevSibling[child] = last;
  w.nextSibling[child] = -1;
  if (last < 0) w.firstChild[p] = child;
  else w.nextSibling[last] = child;
  w.lastChild[p] = child;
  w.children[p] += 1;
  if (w.state[child] == ZOMBIE) w.zombies[p] += 1;
}

// Takes child out of its parent's children list (reaped, or moving to a
// new reaper); its parent field is left for the caller.
export function unlinkChild(w: World, child: i32): void {
  const p = w.parent[child];
  const prev = w.prevSibling[child];
  const next = w.nextSibling[child];
  if (prev < 0) w.firstChild[p] = next;
  else w.nextSibling[prev] = next;
  if (next < 0) w.lastChild[p] = prev;
  else w.prevSibling[next] = prev;
  w.prevSibling[child] = -1;
  w.nextSibling[child] = -1;
  w.children[p] -= 1;
  if (w.state[child] == ZOMBIE) w.zombies[p] -= 1;
  assert(w.children[p] >= 0 && w.zombies[p] >= 0 && w.zombies[p] <= w.children[p], "pause: children list counts");
}

// A living process turns zombie: its parent's list now holds one more.
export function becomeZombie(w: World, pid: i32): void {
  w.state[pid] = ZOMBIE;
  const p = w.parent[pid];
  if (p >= 0) w.zombies[p] += 1;
}

// The first zombie in pid's children list, -1 if it has none.
export function firstZombieChild(w: World, pid: i32): i32 {
  if (w.zombies[pid] == 0) return -1;
  let c = w.firstChild[pid];
  for (let bound = w.count; c >= 0 && bound > 0; bound--) {
    if (w.state[c] == ZOMBIE) return c;
    c = w.nextSibling[c];
  }
  assert(false, "pause: zombie count without a zombie in the children list");
  return -1;
}
