// A process ends (kernel/exit.c): its children go to their new reaper, the
// nearest living subreaper or the namespace's init (orphans, rule 8), and
// zombies among them notify it (rule 9); it turns zombie and its parent is
// told (do_notify_parent). pause as a namespace init takes the whole
// namespace with it (rule 10).
import { World, OUTSIDE, PAUSE, ZOMBIE } from "./world";
import { alive, becomeZombie, level, linkChild, unlinkChild } from "./table";
import { SIGCHLD, SIGKILL, bit, send } from "./signals";
import { reap, reapAllOf } from "./wait";

// The nearest living subreaper ancestor in the same namespace, else the
// namespace's init (rule 8; kernel/exit.c find_new_reaper). In plain mode
// the runner (outside, a subreaper) is every chain's top.
function findReaper(w: World, pid: i32): i32 {
  const lv = level(w, pid);
  let r = w.parent[pid];
  let bound = w.count + 1;
  while (r >= 0 && level(w, r) == lv && bound-- > 0) {
    if (w.subreaper[r] && alive(w, r)) return r;
    r = w.parent[r];
  }
  return lv == 1 ? PAUSE : OUTSIDE;
}

// do_notify_parent(): a child is a zombie; its parent hears SIGCHLD. The
// runner reaps at once; a named reaper reaps when it runs; a parent that
// ignores SIGCHLD (SIG_IGN: a named process, or pause in the autoreap
// design) has the zombie released at once (rule 15), at the child's exit or
// when a zombie is reparented to it.
function notifyParent(w: World, child: i32): void {
  const p = w.parent[child];
  if (p == OUTSIDE) { reap(w, child, OUTSIDE); return; }
  if (w.ignoring[p] & bit(SIGCHLD)) { reap(w, child, p); return; }
  if (p == PAUSE) {
    if (alive(w, PAUSE)) send(w, PAUSE, SIGCHLD, false);
    return;
  }
  send(w, p, SIGCHLD, false);
}

// do_exit(): the process ends (exit code, or signal when code < 0): its
// children move to their new reaper, it becomes a zombie and its parent is
// told. pause as namespace init first kills the namespace.
export function die(w: World, pid: i32, code: i32, sig: i32): void {
  if (!alive(w, pid)) return;
  w.exitCode[pid] = code;
  w.exitSignal[pid] = sig;
  w.pending[pid] = 0;
  if (pid == PAUSE && w.pid1) {
    // Dead first: nothing may signal an exiting init.
    becomeZombie(w, pid);
    w.depth = 0;
    zapNamespace(w);
  } else if (pid == PAUSE) {
    // A plain pause's children (init mode: its program) go to their new
    // reaper like anyone's.
    reparentChildren(w, pid);
    becomeZombie(w, pid);
    w.depth = 0;
  } else {
    // exit_notify(): the children move before the process turns zombie.
    reparentChildren(w, pid);
    becomeZombie(w, pid);
  }
  notifyParent(w, pid);
}

// forget_original_parent(): every child moves to the reaper, in
// children-list order, each to the tail of the reaper's list; a zombie among
// them notifies its new parent.
function reparentChildren(w: World, pid: i32): void {
  const reaper = findReaper(w, pid);
  for (let bound = w.count; bound > 0; bound--) {
    const next = w.firstChild[pid];
    if (next < 0) break;
    unlinkChild(w, next);
    w.parent[next] = reaper;
    w.seq[next] = w.childSeq++;
    linkChild(w, next);
    if (w.state[next] == ZOMBIE) notifyParent(w, next);
  }
  assert(w.firstChild[pid] < 0, "pause: children left behind by reparenting");
}

// zap_pid_ns_processes(): SIGKILL to every process of the namespace, and the
// exiting init reaps its own children until none is left.
function zapNamespace(w: World): void {
  w.nsDead = true;
  for (let i = 2; i < w.count; i++) {
    if (level(w, i) == 1 && alive(w, i)) die(w, i, -1, SIGKILL);
  }
  reapAllOf(w, PAUSE);
}
