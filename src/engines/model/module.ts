// The WebAssembly model (build/asm/pause.wasm, from asm/) loaded once per
// WASI runtime and build; each ModelWorld is one independent world inside
// it (a process table and one pause), cheap to create, clone and dispose.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PausekitError } from '../../errors.ts';
import { DESIGNS, EXEC_OUTCOMES, signalNumber, type SignalName } from '../../scenario/types.ts';
import type { Design, Inherit, InitConfig } from '../../scenario/types.ts';
import { codeOf, KERNEL_RULES, MUTANTS, PAUSE_EVENTS, PAUSE_PHASES, type KernelRule, type Mutant, type PauseEvent, type PausePhase } from './codes.ts';
import { DEFAULT_WASI, moduleImports, startHost, WASI_RUNTIMES, type WasiRuntime } from './hosts.ts';
import { ModelInstance, type Exports } from './instance.ts';
import { ModelWorld } from './world.ts';

/**
 * The model's builds: release (optimized; the one the package ships) and
 * debug (unoptimized, and it checks the kernel's invariants inside the
 * model after every action: asm/kernel/check.ts).
 */
export const MODEL_BUILDS = ['release', 'debug'] as const;
export type ModelBuild = (typeof MODEL_BUILDS)[number];

const WASM_FILES: Record<ModelBuild, string> = {
  release: fileURLToPath(new URL('../../../build/asm/pause.wasm', import.meta.url)),
  debug: fileURLToPath(new URL('../../../build/asm/pause.debug.wasm', import.meta.url)),
};

/** Where the release build lands (npm run build:asm). */
export const MODEL_WASM = WASM_FILES.release;

/** The build loadModel() uses unless told: PAUSEKIT_MODEL_BUILD (release or debug), else release. */
export function defaultModelBuild(): ModelBuild {
  const value = process.env['PAUSEKIT_MODEL_BUILD'];
  if (value === undefined || value === '') return 'release';
  if (!(MODEL_BUILDS as readonly string[]).includes(value)) {
    throw new PausekitError(`PAUSEKIT_MODEL_BUILD must be release or debug, got '${value}'`, { field: 'PAUSEKIT_MODEL_BUILD', value });
  }
  return value as ModelBuild;
}

/** What a new world is: pause's design and bug, PID 1 or not, init mode's program, what pause is started with. */
export interface WorldOptions {
  design: Design;
  mutant?: Mutant;
  pid1?: boolean;
  init?: InitConfig;
  inherit?: Inherit;
}

/**
 * What the worlds of a module did, counted since it loaded (or since
 * clearCoverage()): how often each kernel rule of docs/model.md was
 * applied (asm/kernel/coverage.ts says where each is counted; K16 is not
 * modelled), how often pause went from one state to another, and how often
 * it took each event in each state. The moves and takes list only what
 * happened at least once.
 */
export interface ModelCoverage {
  rules: Record<KernelRule, number>;
  moves: { from: PausePhase; to: PausePhase; count: number }[];
  takes: { state: PausePhase; event: PauseEvent; count: number }[];
}

/** The loaded module: one WebAssembly instance, many worlds. */
export class ModelModule {
  /** The WASI implementation this instance runs under. */
  readonly wasi: WasiRuntime;
  /** The build of the model this instance runs. */
  readonly build: ModelBuild;
  readonly #instance: ModelInstance;

  /** @internal Use loadModel(). */
  constructor(wasi: WasiRuntime, build: ModelBuild, instance: ModelInstance) {
    this.wasi = wasi;
    this.build = build;
    this.#instance = instance;
  }

  /** The module's imports (what the model may ask of its host). */
  static imports(build: ModelBuild = defaultModelBuild()): { module: string; name: string }[] {
    return moduleImports(modelFile(build));
  }

  /** A new world: pause just started and set up (init mode: its program forked). */
  create(options: WorldOptions): ModelWorld {
    if (typeof options !== 'object' || options === null) {
      throw new PausekitError(`create() takes an object such as { design: 'sigwait' }, got ${String(options)}`, { field: 'options', value: options });
    }
    const instance = this.#instance;
    const { codes } = instance;
    const raw = instance.live();
    const design = codeOf(codes.design, options.design, 'design', DESIGNS);
    const mutant = options.mutant === undefined ? codes.mutant.NONE : codeOf(codes.mutant, options.mutant, 'mutant', MUTANTS);
    const pid1 = options.pid1 === false ? 0 : 1;
    const init = options.init;
    const ignored = signalSet(options.inherit?.ignored ?? [], 'inherit.ignored');
    const blocked = signalSet(options.inherit?.blocked ?? [], 'inherit.blocked');
    if (init === undefined) {
      const id = raw.create(design, mutant, pid1, ignored, blocked);
      if (id < 0) throw refusedStart(codes, id);
      return this.#world(id, options, new Map(), []);
    }
    const exec = codeOf(codes.exec, init.exec, 'exec outcome', EXEC_OUTCOMES, 'init.exec');
    const [group, subreaper, reaps] = [init.group, init.subreaper, init.reaps].map((flag) => (flag ? 1 : 0));
    const id = raw.createInit(design, mutant, pid1, exec, group, subreaper, reaps, ignored, blocked);
    if (id < 0) throw refusedStart(codes, id);
    for (const code of init.expect) {
      if (raw.expectCode(id, code) < 0) {
        raw.destroy(id);
        throw new PausekitError(`init.expect: ${code} is not an exit code 0..255`, { field: 'init.expect', value: code });
      }
    }
    // The program is the world's first named process.
    return this.#world(id, options, new Map([[init.name, codes.slot.FIRST_NAMED]]), [init.name], init.name);
  }

  // The world of a new id, with what pause wrote while it started.
  #world(id: number, options: WorldOptions, slots: Map<string, number>, names: string[], program?: string): ModelWorld {
    const world = new ModelWorld(this.#instance, id, options.pid1 !== false, slots, names, [], program);
    world.takeStderr(this.#instance.drain());
    return world;
  }

  /** The coverage counters of every world of this module (ModelCoverage). */
  coverage(): ModelCoverage {
    const { codes } = this.#instance;
    const raw = this.#instance.live();
    const rules = Object.fromEntries(KERNEL_RULES.map((rule) => [rule, raw.ruleCount(codes.rule[rule])])) as Record<KernelRule, number>;
    const moves = PAUSE_PHASES.flatMap((from) => PAUSE_PHASES.map((to) => ({ from, to, count: raw.moveCount(codes.phase[from], codes.phase[to]) })))
      .filter((move) => move.count > 0);
    const takes = PAUSE_PHASES.flatMap((state) => PAUSE_EVENTS.map((event) => ({ state, event, count: raw.takeCount(codes.phase[state], codes.event[event]) })))
      .filter((take) => take.count > 0);
    return { rules, moves, takes };
  }

  /** Every coverage counter back to 0. */
  clearCoverage(): void {
    this.#instance.live().clearCounts();
  }

  /**
   * Runs `look` with the coverage counters stopped: for worlds made only
   * to look ahead (what would this step do?), whose actions are not played.
   */
  uncounted<T>(look: () => T): T {
    const raw = this.#instance.live();
    raw.countRules(0);
    try {
      return look();
    } finally {
      if (!this.#instance.broken) raw.countRules(1);
    }
  }

  /** @internal The raw exports (the debug build's test hooks). */
  get raw(): Exports {
    return this.#instance.exports;
  }
}

/** A set of signals as the model takes it: bit n-1 for signal n. */
export function signalSet(signals: readonly (SignalName | number)[], field: string): bigint {
  if (!Array.isArray(signals)) throw new PausekitError(`${field} must be an array of signals`, { field, value: signals });
  let set = 0n;
  for (const signal of signals) {
    try {
      set |= 1n << BigInt(signalNumber(signal) - 1);
    } catch (error) {
      throw error instanceof PausekitError ? new PausekitError(`${field}: ${error.message}`, { ...error.details, field }) : error;
    }
  }
  return set;
}

// The error of a world the module would not start (what pause was started with, out of range).
function refusedStart(codes: ModelInstance['codes'], result: number): PausekitError {
  return new PausekitError(`cannot start pause in the model: ${codes.errorText.get(result) ?? `error ${result}`}`, { engine: 'model', code: result });
}

// By runtime and build: "node release".
const loaded = new Map<string, Promise<ModelModule>>();

// The file of a build, which must be there.
function modelFile(build: ModelBuild): string {
  const file = WASM_FILES[build];
  if (!existsSync(file)) {
    throw new PausekitError(`the model's ${build} build is not built: ${file} is missing (run 'npm run build:asm')`, { file });
  }
  return file;
}

/**
 * Loads the model under a WASI implementation (default DEFAULT_WASI) once;
 * later calls with the same runtime and build return the same module.
 * build 'debug' runs the build that checks the kernel's invariants after
 * every action (default: PAUSEKIT_MODEL_BUILD, else 'release'). A module
 * whose codes do not match this host's names is refused, each difference
 * named (codes.ts).
 */
export function loadModel(options: { wasi?: WasiRuntime; build?: ModelBuild } = {}): Promise<ModelModule> {
  if (typeof options !== 'object' || options === null) {
    return Promise.reject(new PausekitError(`loadModel() takes an object such as { wasi: 'node' }, got ${String(options)}`, { field: 'options', value: options }));
  }
  const wasi = options.wasi ?? DEFAULT_WASI;
  if (!WASI_RUNTIMES.includes(wasi)) {
    return Promise.reject(new PausekitError(`unknown WASI runtime '${String(wasi)}' (node or wasmer)`, { field: 'wasi', value: wasi }));
  }
  let build: ModelBuild;
  try {
    build = options.build ?? defaultModelBuild();
  } catch (error) {
    return Promise.reject(error);
  }
  if (!MODEL_BUILDS.includes(build)) {
    return Promise.reject(new PausekitError(`unknown model build '${String(build)}' (release or debug)`, { field: 'build', value: build }));
  }
  const key = `${wasi} ${build}`;
  let module = loaded.get(key);
  if (module === undefined) {
    try {
      // After an abort, or a failed load, the next loadModel() starts afresh.
      const forget = (): void => {
        if (loaded.get(key) === module) loaded.delete(key);
      };
      const file = modelFile(build);
      module = startHost(wasi, file, forget).then((host) => new ModelModule(wasi, build, new ModelInstance(host, file)));
      module.catch(forget);
    } catch (error) {
      return Promise.reject(error);
    }
    loaded.set(key, module);
  }
  return module;
}
