// pausekit's public API: the model, its scenario engine, fast-check
// arbitraries and the invariant checker for your own property tests, and
// scenario parsing and the kernel engine.
export { loadModel, ModelModule, ModelWorld, MODEL_WASM, MAX_PROCESSES, MUTANTS, REFERENCE_MUTANTS, INIT_MUTANTS } from './engines/model/wasm.ts';
export type { Mutant, PausePhase } from './engines/model/wasm.ts';
export { runModel, applyStep } from './engines/model/engine.ts';
export {
  opArbitrary, planArbitrary, planInitArbitrary, playPlan, scenarioArbitrary, propertySeed, SCENARIO_SIGNALS, DISPOSITION_SIGNALS,
} from './check/arbitraries.ts';
export type { Op, Plan, PlanInit, PlayResult } from './check/arbitraries.ts';
export { InvariantChecker, checkScenario, expectedExitCode, formatViolations } from './check/invariants.ts';
export type { Violation } from './check/invariants.ts';
export { explore } from './check/explore.ts';
export type { Exploration, Outcome } from './check/explore.ts';
export { parseScenario, loadScenario, scenarioToJson, SEED_STORY, FORWARDED_SIGNALS } from './scenario/load.ts';
export { runKernel, kernelAvailability, INIT_PROGRAMS, INIT_COMMANDS } from './engines/kernel/engine.ts';
export type { InitProgram } from './engines/kernel/engine.ts';
export { conformance, conformanceTable, PEERS, PEER_DIFFERENCES } from './check/conformance.ts';
export type { ConformanceResult, Peer } from './check/conformance.ts';
export { PausekitError } from './errors.ts';
export type { ErrorDetails } from './errors.ts';
export type * from './scenario/types.ts';
export { SIGNALS, DISPOSITION_ACTIONS, EXEC_OUTCOMES } from './scenario/types.ts';
