// Which scenario (and engine, design, model) an array of observations came
// from. runModel and runKernel note it here, so that a check that fails on
// the observations alone (pausekit/vitest's matchers) can still draw the
// whole run: its steps, its signals, and on the model what only the model
// knows. A WeakMap: nothing is kept once the observations are dropped.
import type { ModelModule, Mutant } from './model/wasm.ts';
import type { Design, Observation, Scenario } from '../scenario/types.ts';

export interface Provenance {
  scenario: Scenario;
  engine: 'model' | 'kernel';
  design: Design;
  mutant?: Mutant;
  /** The model the run was made on (engine "model"). */
  model?: ModelModule;
  /** On the kernel in init mode: the init that ran the program, if not pause. */
  init?: string;
}

const RUNS = new WeakMap<readonly Observation[], Provenance>();

/** Notes where a run's observations came from; returns them. */
export function remember(observations: Observation[], provenance: Provenance): Observation[] {
  RUNS.set(observations, provenance);
  return observations;
}

/** Where observations came from, if an engine of this process made them. */
export function provenanceOf(observations: unknown): Provenance | undefined {
  return Array.isArray(observations) ? RUNS.get(observations) : undefined;
}
