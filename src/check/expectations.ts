// Checks a test states about a run, in words a failure can show: pause
// reaped everything, pause exited with a code, no invariant broke. Each
// returns a verdict with the message for either outcome, so any test runner
// can use them; pausekit/vitest (src/vitest.ts) makes them matchers.
import { checkArgument } from '../errors.ts';
import { formatViolations, type Violation } from './invariants.ts';
import type { Observation, PauseObservation } from '../scenario/types.ts';
import { counted } from '../scenario/report.ts';

export interface Verdict {
  pass: boolean;
  /** Why it failed; or, for a negated check, why it passed. */
  message: string;
}

function isObservations(value: unknown): value is Observation[] {
  return Array.isArray(value) && value.length > 0 &&
    value.every((o) => typeof o === 'object' && o !== null && 'pause' in o && 'processes' in o && typeof o.step === 'number');
}

function notObservations(value: unknown): Verdict {
  const seen = Array.isArray(value) ? `an array of ${value.length} that are not all observations` : typeof value;
  return { pass: false, message: `expected the observations of a run (what runModel or runKernel returns), got ${seen}` };
}

function where(o: Observation): string {
  return o.step < 0 ? 'at the start' : `after step ${o.step}`;
}

function pauseText(pause: PauseObservation): string {
  if (pause.state === 'exited') return `exited with code ${pause.code}`;
  if (pause.state === 'killed') return `was killed by ${pause.signal}`;
  return `is ${pause.state}`;
}

/**
 * pause reaped everything it had to: after every step at which pause was
 * running (each observation is taken once the step settled), no zombie
 * whose parent is pause was left.
 */
export function reapedEverything(observations: unknown): Verdict {
  if (!isObservations(observations)) return notObservations(observations);
  const left: string[] = [];
  for (const o of observations) {
    if (o.pause.state !== 'running') continue;
    const zombies = Object.entries(o.processes).filter(([, p]) => p.state === 'zombie' && p.parent === 'pause').map(([name]) => name);
    if (zombies.length > 0) left.push(`${where(o)}: ${zombies.join(', ')} ${zombies.length === 1 ? 'is a zombie child' : 'are zombie children'} of pause`);
  }
  return left.length > 0
    ? { pass: false, message: `expected pause to reap every zombie child, but\n  ${left.join('\n  ')}` }
    : { pass: true, message: `expected pause to leave a zombie child unreaped, but it reaped every one (${counted(observations.length, 'observation')})` };
}

/** pause ended by exiting with this code (as of the last observation). */
export function exitedWith(observations: unknown, code: number): Verdict {
  checkArgument(Number.isInteger(code), 'exitedWith(observations, code) (toExitWith(code)): code', 'an exit code 0..255', code);
  if (!isObservations(observations)) return notObservations(observations);
  const last = observations[observations.length - 1]!;
  const pass = last.pause.state === 'exited' && last.pause.code === code;
  return pass
    ? { pass, message: `expected pause not to exit with code ${code}, but it did ${where(last)}` }
    : { pass, message: `expected pause to exit with code ${code}, but ${where(last)} it ${pauseText(last.pause)}` };
}

/** No invariant broke: a list of violations (checkScenario) or a run with one (playPlan). */
export function heldInvariants(result: unknown): Verdict {
  const violations = Array.isArray(result) ? result
    : typeof result === 'object' && result !== null && Array.isArray((result as { violations?: unknown }).violations)
      ? (result as { violations: unknown[] }).violations : undefined;
  const valid = violations?.every((v) => typeof v === 'object' && v !== null && typeof (v as Violation).invariant === 'number');
  if (violations === undefined || !valid) {
    return { pass: false, message: `expected invariant violations (what checkScenario returns) or a run with them (what playPlan returns), got ${typeof result}` };
  }
  return violations.length > 0
    ? { pass: false, message: `expected every invariant to hold, but\n${formatViolations(violations as Violation[])}` }
    : { pass: true, message: 'expected an invariant to break, but every one held' };
}
