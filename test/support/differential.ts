// Running one scenario on both engines and comparing, step by step.
import { PausekitError } from '../../src/errors.ts';
import { runKernel } from '../../src/engines/kernel/engine.ts';
import type { KernelPool } from '../../src/engines/kernel/pool.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import type { Mutant } from '../../src/engines/model/wasm.ts';
import type { Design, Observation, Scenario } from '../../src/scenario/types.ts';

/** What an engine made of a scenario: observations, or the step it livelocked at. */
export type Outcome = { observations: Observation[] } | { livelock: number };

async function outcome(run: () => Promise<Observation[]>): Promise<Outcome> {
  try {
    return { observations: await run() };
  } catch (error) {
    if (error instanceof PausekitError && error.details.kind === 'livelock') return { livelock: Number(error.details.step) };
    throw error;
  }
}

export function modelOutcome(scenario: Scenario, design: Design, mutant?: Mutant): Promise<Outcome> {
  return outcome(() => runModel(scenario, { design, mutant }));
}

/**
 * Runs on the kernel: in a driver of its own, or on `pool`. The settle timeout stays the runner's default unless
 * told: a livelocking mutant costs one timeout per run, but a shorter one
 * mistakes a loaded machine for a livelock.
 */
export function kernelOutcome(scenario: Scenario, design: Design, binary?: string, settleTimeoutMs?: number, pool?: KernelPool): Promise<Outcome> {
  const options = { design, binary, settleTimeoutMs };
  return outcome(() => (pool === undefined ? runKernel(scenario, options) : pool.run(scenario, options)));
}

/** The first step where two outcomes differ, as readable text; null if equal. */
export function firstDifference(a: Outcome, b: Outcome, names: [string, string] = ['model', 'kernel']): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if ('livelock' in a || 'livelock' in b) {
    const show = (o: Outcome) => ('livelock' in o ? `livelock at step ${o.livelock}` : `settles at every step (${o.observations.length} observations)`);
    return `${names[0]}: ${show(a)}\n  ${names[1]}: ${show(b)}`;
  }
  const list = (o: Outcome) => ('observations' in o ? o.observations : []);
  const la = list(a);
  const lb = list(b);
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (JSON.stringify(la[i]) !== JSON.stringify(lb[i])) {
      const stepA = 'livelock' in a && i >= la.length ? `livelock at step ${a.livelock}` : JSON.stringify(la[i]);
      const stepB = 'livelock' in b && i >= lb.length ? `livelock at step ${b.livelock}` : JSON.stringify(lb[i]);
      return `observation ${i} (step ${i - 1}) differs:\n  ${names[0]}: ${stepA}\n  ${names[1]}: ${stepB}`;
    }
  }
  return `${names[0]}: ${JSON.stringify(a).slice(0, 200)}\n  ${names[1]}: ${JSON.stringify(b).slice(0, 200)}`;
}

/**
 * Model vs kernel for one scenario: the first difference, or null. No retry:
 * a kernel run that disagrees with itself is a runner bug, and must fail.
 */
export async function compareEngines(scenario: Scenario, design: Design): Promise<{ difference: string | null }> {
  const model = await modelOutcome(scenario, design);
  const kernel = await kernelOutcome(scenario, design);
  return { difference: firstDifference(model, kernel) };
}
