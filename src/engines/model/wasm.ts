// A typed API over the WebAssembly model (asm/pause.ts). The module is
// loaded once; each ModelWorld is one independent world inside it (a process
// table and one pause), cheap to create, clone and dispose. pause's stderr
// arrives through WASI fd 2 and is handed to the world that wrote it.
//
// The module asks its host for two WASI calls only (fd_write, proc_exit), so
// any WASI implementation runs it: Node's own node:wasi or @wasmer/wasi,
// picked by loadModel({ wasi }). Both give the same observations (test/model/
// wasi-runtimes.test.ts); `pausekit bench --only model` measures each.
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PausekitError } from '../../errors.ts';
import { DESIGNS, SIGNALS } from '../../scenario/types.ts';
import type {
  Design, DispositionAction, ExecOutcome, InitConfig, Observation, ParentName, PauseObservation, ProcessObservation, SignalName,
} from '../../scenario/types.ts';

/** The catalogued bugs, named as the MUTANT_* macros of native/pause.c. */
export type Mutant =
  | 'REAP_ONCE' | 'NO_CHLD' | 'NO_TERM' | 'WRONG_CODE' | 'REAP_ECHILD'
  | 'FORWARD_NOTHING' | 'EXIT_ZERO' | 'SIGNAL_AS_CODE' | 'FORWARD_CHLD' | 'EXIT_EARLY';
/** The bugs of pause's reference mode (no program). */
export const REFERENCE_MUTANTS: readonly Mutant[] = ['REAP_ONCE', 'NO_CHLD', 'NO_TERM', 'WRONG_CODE', 'REAP_ECHILD'];
/** The bugs of init mode (pause -- PROGRAM). */
export const INIT_MUTANTS: readonly Mutant[] = ['FORWARD_NOTHING', 'EXIT_ZERO', 'SIGNAL_AS_CODE', 'FORWARD_CHLD', 'EXIT_EARLY'];
export const MUTANTS: readonly Mutant[] = [...REFERENCE_MUTANTS, ...INIT_MUTANTS];

/**
 * Where a bug shows for a design: init mode's in init mode, the reference
 * mode's in the reference mode, except the waitpid drain's (REAP_ONCE,
 * REAP_ECHILD) in the autoreap design, whose reference mode lets the kernel
 * reap and never calls waitpid: they show in its init mode, which reaps as
 * the sigwait design does.
 */
export function mutantMode(mutant: Mutant, design: Design): 'init' | 'reference' {
  if (INIT_MUTANTS.includes(mutant)) return 'init';
  return design === 'autoreap' && (mutant === 'REAP_ONCE' || mutant === 'REAP_ECHILD') ? 'init' : 'reference';
}

const MUTANT_CODE: Record<Mutant, number> = {
  REAP_ONCE: 1, NO_CHLD: 2, NO_TERM: 3, WRONG_CODE: 4, REAP_ECHILD: 5,
  FORWARD_NOTHING: 6, EXIT_ZERO: 7, SIGNAL_AS_CODE: 8, FORWARD_CHLD: 9, EXIT_EARLY: 10,
};
const DESIGN_CODE: Record<Design, number> = { sigwait: 0, handlers: 1, autoreap: 2 };
const EXEC_CODE: Record<ExecOutcome, number> = { ok: 0, missing: 1, 'not-executable': 2 };
const ACTION_CODE: Record<DispositionAction, number> = { default: 0, ignore: 1, catch: 2, block: 3 };

/** Process states in the model's table (asm/pause.ts). */
const RUNNING = 1;
const STOPPED = 2;
const ZOMBIE = 3;
const GONE = 4;
const OUTSIDE = 0;
const PAUSE = 1;
const LIVELOCK = -100;

/** The model's table holds this many named processes. */
export const MAX_PROCESSES = 4096;

/** pause's state as in pause.c. */
export type PausePhase = 'WAITING' | 'REAPING' | 'SHUTTING_DOWN' | 'FORWARDING' | 'EXITED';
const PHASES: readonly PausePhase[] = ['WAITING', 'REAPING', 'EXITED', 'SHUTTING_DOWN', 'FORWARDING'];

const ERROR_TEXT: Record<number, string> = {
  [-1]: `the process table is full (${MAX_PROCESSES} processes)`,
  [-2]: 'no such process',
  [-3]: 'the process is not running (stopped, zombie or gone)',
  [-4]: "pause's PID namespace is gone: no process can be started in it",
  [-5]: 'signal out of range 1..31',
  [-6]: 'no such model world (disposed?)',
  [-7]: 'argument out of range',
};

/** The raw exports of build/asm/pause.wasm. */
interface Exports {
  _initialize(): void;
  create(design: number, mutant: number, pid1: number): number;
  createInit(design: number, mutant: number, pid1: number, exec: number, group: number, subreaper: number, reaps: number): number;
  expectCode(id: number, code: number): number;
  disposition(id: number, pid: number, sig: number, action: number): number;
  takeCaught(id: number, pid: number): number;
  processCatches(id: number, pid: number): number;
  pauseForwardCount(id: number, sig: number): number;
  pauseZombiesAtExit(id: number): number;
  destroy(id: number): void;
  clone(id: number): number;
  spawn(id: number, parent: number, reaps: number): number;
  exitProcess(id: number, pid: number, code: number): number;
  kill(id: number, from: number, target: number, sig: number): number;
  makeSubreaper(id: number, pid: number): number;
  step(id: number): number;
  settle(id: number): number;
  settleBound(id: number): number;
  processCount(id: number): number;
  processState(id: number, pid: number): number;
  processParent(id: number, pid: number): number;
  processExitCode(id: number, pid: number): number;
  processExitSignal(id: number, pid: number): number;
  processReapCount(id: number, pid: number): number;
  processReapedBy(id: number, pid: number): number;
  processPending(id: number, pid: number): number;
  pausePhase(id: number): number;
  pauseDepth(id: number): number;
  pauseSteps(id: number): number;
  stateKey(id: number): number;
  keyWord(i: number): number;
  /** Debug build only (asm/debug.ts): the next invariant check first breaks its world (1..5, asm/kernel/check.ts CORRUPT_*). */
  corrupt?(how: number): number;
  /** Debug build only: invariant checks run so far (one per action). */
  checks?(): number;
}

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

/** The WASI implementations the model runs under: Node's built-in node:wasi, or @wasmer/wasi. */
export const WASI_RUNTIMES = ['node', 'wasmer'] as const;
export type WasiRuntime = (typeof WASI_RUNTIMES)[number];

/** The runtime loadModel() uses unless told: the faster one (docs/performance.md). */
export const DEFAULT_WASI: WasiRuntime = 'node';

/** One WASI implementation with the module started in it. */
interface WasiHost {
  readonly exports: Exports;
  /** Set when the module calls fd_write (pause speaks, or an abort): then takeStderr() has something. */
  wrote: boolean;
  /** Everything the module wrote to fd 2 since the last call. */
  takeStderr(): string;
  /** Releases what the host holds (a file descriptor). */
  close(): void;
}

/** The loaded module: one WebAssembly instance, many worlds. */
export class ModelModule {
  /** The WASI implementation this instance runs under. */
  readonly wasi: WasiRuntime;
  /** The build of the model this instance runs. */
  readonly build: ModelBuild;
  readonly #exports: Exports;
  readonly #host: WasiHost;
  #broken = false;

  /** @internal Use loadModel(). */
  constructor(wasi: WasiRuntime, build: ModelBuild, host: WasiHost) {
    this.wasi = wasi;
    this.build = build;
    this.#exports = host.exports;
    this.#host = host;
  }

  /** The module's imports (what the model may ask of its host). */
  static imports(build: ModelBuild = defaultModelBuild()): { module: string; name: string }[] {
    return WebAssembly.Module.imports(compiledModule(build)).map(({ module, name }) => ({ module, name }));
  }

  /** A new world: pause just started and set up (init mode: its program forked). */
  create(options: { design: Design; mutant?: Mutant; pid1?: boolean; init?: InitConfig }): ModelWorld {
    const design = DESIGN_CODE[options.design];
    if (design === undefined) {
      throw new PausekitError(`unknown design '${String(options.design)}' (${DESIGNS.join(', ')})`, { field: 'design', value: options.design });
    }
    const mutant = options.mutant === undefined ? 0 : MUTANT_CODE[options.mutant];
    if (mutant === undefined) {
      throw new PausekitError(`unknown mutant '${String(options.mutant)}' (one of ${MUTANTS.join(', ')})`, { field: 'mutant', value: options.mutant });
    }
    const pid1 = options.pid1 === false ? 0 : 1;
    const init = options.init;
    if (init === undefined) {
      const id = this.call((m) => m.create(design, mutant, pid1));
      const world = new ModelWorld(this, id, options.pid1 !== false, new Map(), [], []);
      world.takeStderr(this.drain());
      return world;
    }
    const exec = EXEC_CODE[init.exec];
    if (exec === undefined) {
      throw new PausekitError(`unknown exec outcome '${String(init.exec)}' (ok, missing or not-executable)`, { field: 'init.exec', value: init.exec });
    }
    const id = this.call((m) => m.createInit(design, mutant, pid1, exec, init.group ? 1 : 0, init.subreaper ? 1 : 0, init.reaps ? 1 : 0));
    for (const code of init.expect) {
      if (this.call((m) => m.expectCode(id, code)) < 0) {
        this.#exports.destroy(id);
        throw new PausekitError(`init.expect: ${code} is not an exit code 0..255`, { field: 'init.expect', value: code });
      }
    }
    // The program is the world's first named process (slot 2).
    const world = new ModelWorld(this, id, options.pid1 !== false, new Map([[init.name, 2]]), [init.name], [], init.name);
    world.takeStderr(this.drain());
    return world;
  }

  /** @internal Runs a module call on the exports; an abort inside becomes a PausekitError. */
  call<T>(f: (raw: Exports) => T): T {
    const raw = this.enter();
    try {
      return f(raw);
    } catch (error) {
      throw this.aborted(error);
    }
  }

  /**
   * @internal The exports, for calls that catch what they throw with
   * aborted() (the hot calls of ModelWorld: no closure per call).
   */
  enter(): Exports {
    if (this.#broken) throw new PausekitError('the model aborted earlier; load it again with loadModel()', { engine: 'model', kind: 'abort' });
    return this.#exports;
  }

  /** @internal What a module call threw (an abort): the error to throw instead. */
  aborted(error: unknown): PausekitError {
    // An abort leaves the module's heap unusable: the next loadModel()
    // starts a fresh instance.
    this.#broken = true;
    loaded.delete(`${this.wasi} ${this.build}`);
    const stderr = this.#host.takeStderr();
    this.#host.close();
    const where = error instanceof Error ? error.stack : String(error);
    return new PausekitError(`the model aborted: ${stderr.trim() || String(error)}`, { engine: 'model', kind: 'abort', where });
  }

  /** @internal The raw exports. */
  get raw(): Exports {
    return this.#exports;
  }

  /** @internal Whatever pause wrote to fd 2 since the last call ('' at once if it wrote nothing). */
  drain(): string {
    if (!this.#host.wrote) return '';
    this.#host.wrote = false;
    return this.#host.takeStderr();
  }
}

const compiled = new Map<ModelBuild, WebAssembly.Module>();
// By runtime and build: "node release".
const loaded = new Map<string, Promise<ModelModule>>();

function compiledModule(build: ModelBuild): WebAssembly.Module {
  let module = compiled.get(build);
  if (module === undefined) {
    const file = WASM_FILES[build];
    if (!existsSync(file)) {
      throw new PausekitError(`the model's ${build} build is not built: ${file} is missing (run 'npm run build:asm')`, { file });
    }
    module = new WebAssembly.Module(readFileSync(file));
    compiled.set(build, module);
  }
  return module;
}

/**
 * Loads the model under a WASI implementation (default DEFAULT_WASI) once;
 * later calls with the same runtime and build return the same module.
 * build 'debug' runs the build that checks the kernel's invariants after
 * every action (default: PAUSEKIT_MODEL_BUILD, else 'release').
 */
export function loadModel(options: { wasi?: WasiRuntime; build?: ModelBuild } = {}): Promise<ModelModule> {
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
    const start = wasi === 'node' ? nodeHost : wasmerHost;
    try {
      module = start(compiledModule(build)).then((host) => new ModelModule(wasi, build, host));
    } catch (error) {
      return Promise.reject(error);
    }
    loaded.set(key, module);
  }
  return module;
}

type WasiImports = Record<string, Record<string, (...args: number[]) => number>>;

// The imports with fd_write marking host.wrote: the host looks at fd 2 only
// after a call that wrote (pause speaks seldom), without asking the module.
function markingWrites(imports: WasiImports, host: { wrote: boolean }): WebAssembly.Imports {
  const wasi = imports['wasi_snapshot_preview1']!;
  const write = wasi['fd_write']!;
  return {
    ...imports,
    wasi_snapshot_preview1: {
      ...wasi,
      fd_write: (fd: number, iovs: number, count: number, written: number): number => {
        host.wrote = true;
        return write(fd, iovs, count, written);
      },
    },
  };
}

// @wasmer/wasi: a WASI in WebAssembly that keeps fd 2 in memory.
async function wasmerHost(module: WebAssembly.Module): Promise<WasiHost> {
  const { init, WASI } = await import('@wasmer/wasi');
  await init();
  const wasi = new WASI({ args: [], env: {} });
  const host = { wrote: false };
  const instance = new WebAssembly.Instance(module, markingWrites(wasi.getImports(module) as WasiImports, host));
  wasi.instantiate(instance, {});
  const exports = instance.exports as unknown as Exports;
  exports._initialize();
  return Object.assign(host, { exports, takeStderr: () => wasi.getStderrString(), close: () => {} });
}

/** Linux's O_TMPFILE (with O_DIRECTORY, as open(2) wants it): a file with no name at all. */
const O_TMPFILE = 0o20000000 | constants.O_DIRECTORY;

/**
 * A temporary file with no name, opened for appending: O_TMPFILE, so that
 * nothing can be left behind even if a signal ends the process here; where
 * the file system has no O_TMPFILE, a file made and unlinked at once.
 */
function anonymousFile(): number {
  try {
    return openSync(tmpdir(), O_TMPFILE | constants.O_RDWR | constants.O_APPEND, 0o600);
  } catch {
    const dir = mkdtempSync(join(tmpdir(), 'pausekit-wasi-'));
    const path = join(dir, 'stderr');
    const fd = openSync(path, 'a+');
    unlinkSync(path);
    rmdirSync(dir);
    return fd;
  }
}

// Node's node:wasi writes fd 2 to a real file descriptor: an anonymous
// temporary file opened for appending, read back and emptied after each
// message (the model writes one only when pause speaks, seldom).
async function nodeHost(module: WebAssembly.Module): Promise<WasiHost> {
  const { WASI } = await importNodeWasi();
  const fd = anonymousFile();
  // returnOnExit: proc_exit (an abort) throws here instead of ending the process.
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, stderr: fd, returnOnExit: true });
  const host = { wrote: false };
  const instance = new WebAssembly.Instance(module, markingWrites(wasi.getImportObject() as unknown as WasiImports, host));
  wasi.initialize(instance);
  const takeStderr = (): string => {
    const size = fstatSync(fd).size;
    if (size === 0) return '';
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    ftruncateSync(fd, 0);
    return buffer.toString('utf8', 0, read);
  };
  return Object.assign(host, { exports: instance.exports as unknown as Exports, takeStderr, close: () => closeSync(fd) });
}

// node:wasi warns on load that it is experimental; a library must not print
// that into its user's output, so that one warning (and no other) is dropped.
async function importNodeWasi(): Promise<typeof import('node:wasi')> {
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('WASI is an experimental feature')) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await import('node:wasi');
  } finally {
    process.emitWarning = emit;
  }
}

function signalNumber(signal: SignalName | number): number {
  const n = typeof signal === 'number' ? signal : SIGNALS.indexOf(signal);
  if (!Number.isInteger(n) || n < 1 || n > 31) {
    throw new PausekitError(`unknown signal '${String(signal)}'`, { field: 'signal', value: signal });
  }
  return n;
}

/** One world: a process table with pause in it, driven step by step. */
export class ModelWorld {
  readonly #module: ModelModule;
  readonly #id: number;
  readonly pid1: boolean;
  /** Init mode: the program's name (it is also the first name). */
  readonly program: string | undefined;
  readonly #slots: Map<string, number>;
  readonly #names: string[];
  #stderr: string[];
  #partial = '';
  #disposed = false;

  /** @internal Use ModelModule.create or clone. */
  constructor(module: ModelModule, id: number, pid1: boolean, slots: Map<string, number>, names: string[], stderr: string[], program?: string) {
    this.#module = module;
    this.#id = id;
    this.pid1 = pid1;
    this.program = program;
    this.#slots = slots;
    this.#names = names;
    this.#stderr = stderr;
  }

  /** @internal Appends pause's new output. */
  takeStderr(text: string): void {
    if (text === '') return;
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    this.#stderr.push(...parts);
  }

  // The error for a negative result (the module refused the call). Callers
  // build the message only on that path: none of it is made per call.
  #refused(result: number, what: string, details: Record<string, unknown>): PausekitError {
    const text = ERROR_TEXT[result] ?? `error ${result}`;
    return new PausekitError(`${what}: ${text}`, { engine: 'model', code: result, ...details });
  }

  #call(f: (raw: Exports) => number): number {
    const raw = this.#enter();
    let result: number;
    try {
      result = f(raw);
    } catch (error) {
      throw this.#module.aborted(error);
    }
    this.takeStderr(this.#module.drain());
    return result;
  }

  // The exports for one call. The calls of every event (spawn, exit, kill,
  // step, settle) make theirs in place, as #call() does, without a closure
  // per call: try the call, turn what it throws into aborted()'s error,
  // then take pause's output.
  #enter(): Exports {
    if (this.#disposed) throw new PausekitError('this model world was disposed', { engine: 'model' });
    return this.#module.enter();
  }

  #slot(name: string, role: string): number {
    if (name === 'outside') return OUTSIDE;
    if (name === 'pause') return PAUSE;
    const slot = this.#slots.get(name);
    if (slot === undefined) {
      throw new PausekitError(`${role} '${name}' is not a process of this scenario`, { field: role, value: name });
    }
    return slot;
  }

  /** Names of the spawned processes, in spawn order. */
  get names(): readonly string[] {
    return this.#names;
  }

  /** parent ("outside" or a living name) forks a new process called name. */
  spawn(name: string, parent: ParentName = 'outside', reaps = true): void {
    if (name === 'outside' || name === 'pause' || this.#slots.has(name)) {
      throw new PausekitError(`cannot spawn '${name}': the name is taken`, { field: 'name', value: name });
    }
    const parentSlot = this.#slot(parent, 'parent');
    const raw = this.#enter();
    let slot: number;
    try {
      slot = raw.spawn(this.#id, parentSlot, reaps ? 1 : 0);
    } catch (error) {
      throw this.#module.aborted(error);
    }
    this.takeStderr(this.#module.drain());
    if (slot < 0) throw this.#refused(slot, `cannot spawn '${name}' from '${parent}'`, { field: 'parent', value: parent });
    this.#slots.set(name, slot);
    this.#names.push(name);
  }

  /** The process calls _exit(code). */
  exit(name: string, code: number): void {
    const slot = this.#slot(name, 'name');
    const raw = this.#enter();
    let result: number;
    try {
      result = raw.exitProcess(this.#id, slot, code);
    } catch (error) {
      throw this.#module.aborted(error);
    }
    this.takeStderr(this.#module.drain());
    if (result < 0) throw this.#refused(result, `'${name}' cannot exit`, { field: 'name', value: name });
  }

  /** from (default "outside") sends signal to target (a name or "pause"). */
  kill(target: string, signal: SignalName | number, from: ParentName = 'outside'): void {
    const sig = signalNumber(signal);
    const to = this.#slot(target, 'target');
    const by = this.#slot(from, 'from');
    const raw = this.#enter();
    let result: number;
    try {
      result = raw.kill(this.#id, by, to, sig);
    } catch (error) {
      throw this.#module.aborted(error);
    }
    this.takeStderr(this.#module.drain());
    if (result < 0) throw this.#refused(result, `'${from}' cannot signal '${target}'`, { field: 'from', value: from });
  }

  /** SIGSTOP, from outside unless told. */
  stop(target: string, from: ParentName = 'outside'): void {
    this.kill(target, 'SIGSTOP', from);
  }

  /** SIGCONT, from outside unless told. */
  continue(target: string, from: ParentName = 'outside'): void {
    this.kill(target, 'SIGCONT', from);
  }

  /** The process calls prctl(PR_SET_CHILD_SUBREAPER, 1). */
  subreaper(name: string): void {
    const slot = this.#slot(name, 'name');
    const result = this.#call((m) => m.makeSubreaper(this.#id, slot));
    if (result < 0) throw this.#refused(result, `'${name}' cannot become a subreaper`, { field: 'name', value: name });
  }

  /** The process changes what it does with a signal (the disposition step). */
  disposition(name: string, signal: SignalName | number, action: DispositionAction): void {
    const slot = this.#slot(name, 'name');
    const sig = signalNumber(signal);
    const code = ACTION_CODE[action];
    if (code === undefined) throw new PausekitError(`unknown disposition '${String(action)}'`, { field: 'action', value: action });
    const result = this.#call((m) => m.disposition(this.#id, slot, sig, code));
    if (result < 0) throw this.#refused(result, `'${name}' cannot change its disposition of ${String(signal)}`, { field: 'name', value: name });
  }

  /** Init mode: how many times pause has forwarded a signal (kill() calls, ever). */
  forwardCount(signal: SignalName | number): number {
    const sig = typeof signal === 'number' ? signal : SIGNALS.indexOf(signal);
    return this.#call((m) => m.pauseForwardCount(this.#id, sig));
  }

  /** Init mode: zombie children pause had when it exited with the program's status; -1 if it has not. */
  get zombiesAtExit(): number {
    return this.#call((m) => m.pauseZombiesAtExit(this.#id));
  }

  /** One atomic action of pause; false when pause is blocked, stopped or gone. */
  step(): boolean {
    const raw = this.#enter();
    let result: number;
    try {
      result = raw.step(this.#id);
    } catch (error) {
      throw this.#module.aborted(error);
    }
    this.takeStderr(this.#module.drain());
    return result === 1;
  }

  /** Whether pause has an action to take now (without taking it). */
  canStep(): boolean {
    const copy = this.clone();
    try {
      return copy.step();
    } finally {
      copy.dispose();
    }
  }

  /**
   * Steps until pause blocks, stops or exits; returns the steps taken.
   * Hitting the bound is a livelock: a PausekitError with details.kind 'livelock'.
   */
  settle(step = -1): number {
    const raw = this.#enter();
    let result: number;
    try {
      result = raw.settle(this.#id);
    } catch (error) {
      throw this.#module.aborted(error);
    }
    this.takeStderr(this.#module.drain());
    if (result === LIVELOCK) {
      const bound = this.#module.raw.settleBound(this.#id);
      throw new PausekitError(`step ${step}: pause never blocks (livelock): still running after ${bound} steps, in state ${this.phase}`, {
        engine: 'model', kind: 'livelock', step, bound,
      });
    }
    return result;
  }

  /** pause's state as in pause.c. */
  get phase(): PausePhase {
    return PHASES[this.#call((m) => m.pausePhase(this.#id))] ?? 'EXITED';
  }

  /** Handler frames on pause's stack. */
  get depth(): number {
    return this.#call((m) => m.pauseDepth(this.#id));
  }

  /** pause as an observation: running, stopped, exited with a code, or killed. */
  pause(): PauseObservation {
    const m = this.#module.raw;
    const state = m.processState(this.#id, PAUSE);
    if (state === RUNNING) return { state: 'running' };
    if (state === STOPPED) return { state: 'stopped' };
    const code = m.processExitCode(this.#id, PAUSE);
    if (code >= 0) return { state: 'exited', code };
    return { state: 'killed', signal: SIGNALS[m.processExitSignal(this.#id, PAUSE)] as SignalName };
  }

  #parentName(slot: number): ParentName | null {
    if (slot < 0) return null;
    if (slot === OUTSIDE) return 'outside';
    if (slot === PAUSE) return 'pause';
    return this.#names[slot - 2] ?? null;
  }

  /** One named process: state and parent (not what it caught: see observe). */
  process(name: string): ProcessObservation {
    const slot = this.#slot(name, 'name');
    const m = this.#module.raw;
    const state = m.processState(this.#id, slot);
    const parent = this.#parentName(m.processParent(this.#id, slot));
    const text = state === RUNNING ? 'running' : state === STOPPED ? 'stopped' : state === ZOMBIE ? 'zombie' : 'gone';
    return { state: text, parent: state === GONE ? null : parent };
  }

  // The signals a process's handler ran for since the last observation
  // (taken, so the next observation starts afresh); undefined if it never
  // had a handler.
  #takeCaught(name: string): SignalName[] | undefined {
    const slot = this.#slot(name, 'name');
    const m = this.#module.raw;
    if (m.processCatches(this.#id, slot) === 0) return undefined;
    const bits = this.#call((raw) => raw.takeCaught(this.#id, slot)) >>> 0;
    return SIGNALS.filter((s, n) => s !== '' && (bits & (1 << n)) !== 0) as SignalName[];
  }

  /** How a named process ended and who reaped it (for invariants). */
  fate(name: string): { reapCount: number; reapedBy: ParentName | null; exitCode: number; exitSignal: number } {
    const slot = this.#slot(name, 'name');
    const m = this.#module.raw;
    return {
      reapCount: m.processReapCount(this.#id, slot),
      reapedBy: this.#parentName(m.processReapedBy(this.#id, slot)),
      exitCode: m.processExitCode(this.#id, slot),
      exitSignal: m.processExitSignal(this.#id, slot),
    };
  }

  /** Signals pending for a process (or "pause"), lowest number first. */
  pending(name: string): SignalName[] {
    const slot = this.#slot(name, 'name');
    const bits = this.#module.raw.processPending(this.#id, slot) >>> 0;
    return SIGNALS.filter((s, n) => s !== '' && (bits & (1 << n)) !== 0) as SignalName[];
  }

  /** pause's stderr lines since the last call (or observe). */
  stderr(): string[] {
    const lines = this.#stderr;
    this.#stderr = [];
    return lines;
  }

  /** Every stderr line not yet taken, without taking them. */
  peekStderr(): readonly string[] {
    return this.#stderr;
  }

  /** The observation the engines record after a step (it takes the caught signals). */
  observe(step: number): Observation {
    const processes: Record<string, ProcessObservation> = {};
    for (const name of this.#names) {
      const process = this.process(name);
      const caught = this.#takeCaught(name);
      processes[name] = caught === undefined ? process : { ...process, caught };
    }
    return { step, pause: this.pause(), processes, stderr: this.stderr() };
  }

  /** pause's steps so far. */
  get pauseSteps(): number {
    return this.#call((m) => m.pauseSteps(this.#id));
  }

  /** The whole state as a string, equal for equal states. */
  key(): string {
    const m = this.#module.raw;
    const n = this.#call((raw) => raw.stateKey(this.#id));
    const words = new Array<number>(n);
    for (let i = 0; i < n; i++) words[i] = m.keyWord(i);
    return words.join(',');
  }

  /** An independent copy (the names and unread stderr come along). */
  clone(): ModelWorld {
    const id = this.#call((m) => m.clone(this.#id));
    if (id < 0) throw this.#refused(id, 'cannot clone', {});
    const copy = new ModelWorld(this.#module, id, this.pid1, new Map(this.#slots), [...this.#names], [...this.#stderr], this.program);
    copy.#partial = this.#partial;
    return copy;
  }

  /** Frees the world inside the module. */
  dispose(): void {
    if (this.#disposed) return;
    this.#module.raw.destroy(this.#id);
    this.#disposed = true;
  }
}
