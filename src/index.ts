// pausekit's public API: the model, its scenario engine, fast-check
// arbitraries and the invariant checker for your own property tests, and
// scenario parsing and the kernel engine.
export { loadModel, ModelModule, ModelWorld, MODEL_WASM, MAX_PROCESSES, MUTANTS } from './model.ts';
export type { Mutant, PausePhase } from './model.ts';
export { runModel, applyStep } from './engine-model.ts';
export { opArbitrary, planArbitrary, playPlan, scenarioArbitrary, propertySeed, SCENARIO_SIGNALS } from './arbitraries.ts';
export type { Op, Plan, PlayResult } from './arbitraries.ts';
export { InvariantChecker, checkScenario, formatViolations } from './invariants.ts';
export type { Violation } from './invariants.ts';
export { explore } from './cmd-explore.ts';
export type { Exploration, Outcome } from './cmd-explore.ts';
export { parseScenario, loadScenario, scenarioToJson, SEED_STORY } from './scenario.ts';
export { runKernel, kernelAvailability } from './engine-kernel.ts';
export { PausekitError } from './errors.ts';
export type { ErrorDetails } from './errors.ts';
export type * from './types.ts';
export { SIGNALS } from './types.ts';
