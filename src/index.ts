// pausekit's public API (the package's main entry, `pausekit`): run a
// scenario on the model or the kernel, compare the two, explore every
// interleaving, load and validate scenarios, draw any of these as an HTML
// page, and the types. Re-exports only.
// The other entries: pausekit/arbitraries (src/check/arbitraries.ts),
// pausekit/invariants (src/check/invariants.ts), pausekit/vitest (src/vitest.ts).
export { loadModel, ModelModule, ModelWorld, MODEL_WASM, MODEL_BUILDS, defaultModelBuild, MAX_PROCESSES, MUTANTS, REFERENCE_MUTANTS, INIT_MUTANTS, WASI_RUNTIMES, DEFAULT_WASI } from './engines/model/wasm.ts';
export type { ModelBuild, Mutant, PausePhase, WasiRuntime } from './engines/model/wasm.ts';
export { runModel, applyStep } from './engines/model/engine.ts';
export { runKernel, kernelAvailability, KernelSession, pauseBinary, INIT_PROGRAMS, INIT_COMMANDS } from './engines/kernel/engine.ts';
export type { KernelAvailability, KernelOptions, InitProgram } from './engines/kernel/engine.ts';
export { ENGINE_NAMES, engineNamed, kernelEngine, modelEngine } from './engines/engine.ts';
export type { Engine, EngineName } from './engines/engine.ts';
export { diffDesign } from './check/diff.ts';
export { explore, DEFAULT_MAX_STATES } from './check/explore.ts';
export type { Exploration, Outcome } from './check/explore.ts';
export { parseScenario, loadScenario, normalizeScenario, scenarioToJson, SEED_STORY, MAX_STEPS, MAX_SCENARIO_PROCESSES, FORWARDED_SIGNALS } from './scenario/load.ts';
export { describeStep, formatObservations } from './scenario/report.ts';
export { conformance, conformanceTable, PEERS, PEER_DIFFERENCES } from './check/conformance.ts';
export type { ConformanceResult, Peer } from './check/conformance.ts';
export { PausekitError } from './errors.ts';
export type { ErrorDetails } from './errors.ts';
export type * from './scenario/types.ts';
export { SIGNALS, DISPOSITION_ACTIONS, EXEC_OUTCOMES } from './scenario/types.ts';
export { runPage, renderRun, diffPage, diffRun, explorePage } from './view/pages.ts';
export type { RunPageOptions, DiffRun } from './view/pages.ts';
export { benchPage } from './view/bench.ts';
export { writePage } from './view/write.ts';
export { drawFailure, drawCounterexample, htmlDirectory, HTML_DIR_VARIABLE } from './view/counterexample.ts';
