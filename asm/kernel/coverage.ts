// Coverage: how often each kernel rule of docs/model.md (K1..K16) was
// applied, and each of pause's transitions taken, in every world of this
// module instance since it started (or since the host last read and
// cleared them). Each rule's counter is bumped at the one place the model
// applies it (kernel/*.ts, ../pause.ts); the deep run prints the table and
// flags the rules its random scenarios rarely reach. A leaf: it imports
// nothing, so the rules' files and sigset.ts may import it.
//
// The counters are f64, exact up to 2^53 (a run of billions of events
// cannot wrap them), bumped without a bounds check: every index is a
// constant below or, for pause's transitions, a state and event of
// ../pause.ts, whose ranges are fixed.

/** The rules, numbered as docs/model.md numbers them (index = number). */
export const RULE_K1: i32 = 1;   // a standard signal coalesces with a pending one
export const RULE_K2: i32 = 2;   // delivery order picks among several deliverable signals
export const RULE_K3: i32 = 3;   // a handler frame is set up, or an ignoring disposition discards a pending signal
export const RULE_K4: i32 = 4;   // pause() returns after pause's handler frames are done
export const RULE_K5: i32 = 5;   // waitpid(-1, WNOHANG) by pause
export const RULE_K6: i32 = 6;   // a process stops or continues: its parent hears nothing (SA_NOCLDSTOP)
export const RULE_K7: i32 = 7;   // the namespace init is sent a signal it has no handler for: dropped, or forced
export const RULE_K8: i32 = 8;   // an orphan goes to its new reaper
export const RULE_K9: i32 = 9;   // a zombie reparented notifies its new parent
export const RULE_K10: i32 = 10; // the init's exit ends the namespace
export const RULE_K11: i32 = 11; // an exit status by convention: 128+N, 127, 126
export const RULE_K12: i32 = 12; // a signal meets a stopped process, or SIGCONT and the stop signals cancel
export const RULE_K13: i32 = 13; // a fork: default dispositions, an empty pending set
export const RULE_K14: i32 = 14; // a process group: setpgid, or kill(-pgid)
export const RULE_K15: i32 = 15; // autoreap: a child released at once, its parent ignoring SIGCHLD
export const RULE_K16: i32 = 16; // a real-time signal queued (one delivery per kill)
export const RULE_LAST: i32 = 16;

const rules = new StaticArray<f64>(RULE_LAST + 1);

// Off while the host looks ahead in worlds it throws away (a random plan
// asking what a step would do): only what is played counts.
let counting: bool = true;

/** Counting on or off, for every world. */
export function countRules(on: bool): void {
  counting = on;
}

/** The model applies a rule. */
@inline export function fired(rule: i32): void {
  if (counting) unchecked(rules[rule] += 1);
}

/** How often a rule was applied (0 for a number that is none). */
export function ruleCount(rule: i32): f64 {
  return rule >= 1 && rule <= RULE_LAST ? unchecked(rules[rule]) : 0;
}

// pause's states and events, as ../pause.ts numbers them: states 0..4,
// events 1..3.
const STATES: i32 = 5;
const EVENTS: i32 = 4;

// [from * STATES + to]: pause went from one state to another in a step.
const moves = new StaticArray<f64>(STATES * STATES);
// [state * EVENTS + event]: pause took an event (a signal) in a state.
const takes = new StaticArray<f64>(STATES * EVENTS);

/** pause's state changed in one step. */
@inline export function moved(from: i32, to: i32): void {
  if (counting) unchecked(moves[from * STATES + to] += 1);
}

/** pause took a signal as an event, in a state. */
@inline export function took(state: i32, event: i32): void {
  if (counting) unchecked(takes[state * EVENTS + event] += 1);
}

/** How often pause went from state `from` to `to` (0 out of range). */
export function moveCount(from: i32, to: i32): f64 {
  return from >= 0 && from < STATES && to >= 0 && to < STATES ? unchecked(moves[from * STATES + to]) : 0;
}

/** How often pause took `event` in `state` (0 out of range). */
export function takeCount(state: i32, event: i32): f64 {
  return state >= 0 && state < STATES && event >= 0 && event < EVENTS ? unchecked(takes[state * EVENTS + event]) : 0;
}

/** Every counter back to 0. */
export function clearCounts(): void {
  memory.fill(changetype<usize>(rules), 0, <usize>(RULE_LAST + 1) << 3);
  memory.fill(changetype<usize>(moves), 0, <usize>(STATES * STATES) << 3);
  memory.fill(changetype<usize>(takes), 0, <usize>(STATES * EVENTS) << 3);
}
