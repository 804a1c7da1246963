// The model's host by its public names, for the package's entry
// (src/index.ts) and the rest of src/. The host is in rooms: hosts.ts (the
// WASI runtimes), codes.ts (the names pausekit knows, held to the codes the
// module exports), instance.ts (the one place calls into the module are
// made), world.ts (ModelWorld) and module.ts (ModelModule, loadModel).
export { INIT_MUTANTS, KERNEL_RULES, MAX_PROCESSES, MUTANTS, PAUSE_EVENTS, PAUSE_PHASES, REFERENCE_MUTANTS, mutantMode } from './codes.ts';
export type { KernelRule, Mutant, PauseEvent, PausePhase } from './codes.ts';
export { DEFAULT_WASI, WASI_RUNTIMES } from './hosts.ts';
export type { WasiRuntime } from './hosts.ts';
export { defaultModelBuild, loadModel, MODEL_BUILDS, MODEL_WASM, ModelModule } from './module.ts';
export type { ModelBuild, ModelCoverage, WorldOptions } from './module.ts';
export { ModelWorld } from './world.ts';
