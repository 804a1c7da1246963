// pausekit's public API: the model, its scenario engine, fast-check
// arbitraries and the invariant checker for your own property tests, and
// scenario parsing and the kernel engine.
export { loadModel, ModelModule, ModelWorld, MODEL_WASM, MAX_PROCESSES, MUTANTS } from './engines/model/wasm.ts';
export type { Mutant, PausePhase } from './engines/model/wasm.ts';
export { runModel, applyStep } from './engines/model/engine.ts';
export { opArbitrary, planArbitrary, playPlan, scenarioArbitrary, propertySeed, SCENARIO_SIGNALS } from './check/arbitraries.ts';
export type { Op, Plan, PlayResult } from './check/arbitraries.ts';
export { InvariantChecker, checkScenario, formatViolations } from './check/invariants.ts';
export type { Violation } from './check/invariants.ts';
export { explore } from './check/explore.ts';
export type { Exploration, Outcome } from './check/explore.ts';
export { parseScenario, loadScenario, scenarioToJson, SEED_STORY } from './scenario/load.ts';
export { runKernel, kernelAvailability } from './engines/kernel/engine.ts';
export { PausekitError } from './errors.ts';
export type { ErrorDetails } from './errors.ts';
export type * from './scenario/types.ts';
export { SIGNALS } from './scenario/types.ts';
