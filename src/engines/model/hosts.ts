// The WASI implementations the model runs under. The module asks its host
// for two WASI calls only (fd_write, proc_exit), so any WASI runs it:
// Node's own node:wasi (the default) or @wasmer/wasi, which is loaded only
// when chosen and may be absent. Both give the same observations
// (test/model/wasi-runtimes.test.ts); `pausekit bench --only model`
// measures each. A host starts one instance of the module and hands over
// what pause writes to fd 2.
//
// No declaration here names the WebAssembly namespace: it is in the DOM's
// types, which a user's project type-checking pausekit need not have.
import { closeSync, constants, fstatSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PausekitError } from '../../errors.ts';

/** The WASI implementations the model runs under: Node's built-in node:wasi, or @wasmer/wasi. */
export const WASI_RUNTIMES = ['node', 'wasmer'] as const;
export type WasiRuntime = (typeof WASI_RUNTIMES)[number];

/** The runtime loadModel() uses unless told: the faster one (docs/performance.md). */
export const DEFAULT_WASI: WasiRuntime = 'node';

/** A WASI implementation's imports, by module and name. */
export type WasiImports = Record<string, Record<string, (...args: number[]) => number>>;

// The module in a file, compiled once (per file).
const compiled = new Map<string, WebAssembly.Module>();

function compiledModule(file: string): WebAssembly.Module {
  let module = compiled.get(file);
  if (module === undefined) {
    module = new WebAssembly.Module(readFileSync(file));
    compiled.set(file, module);
  }
  return module;
}

/** What the module in a file imports: what the model may ask of its host. */
export function moduleImports(file: string): { module: string; name: string }[] {
  return WebAssembly.Module.imports(compiledModule(file)).map(({ module, name }) => ({ module, name }));
}

/**
 * One WASI implementation with the module started in it, and the imports
 * the module gets from it: fd_write marks `wrote` (the host looks at fd 2
 * only after a call that wrote: pause speaks seldom), and proc_exit, which
 * the model calls only to abort (a failed assertion, or an invariant check
 * of the debug build, after writing its reason to fd 2), throws a
 * PausekitError with that reason out of the call that aborted. That is the
 * one place where an abort becomes an error: the host's calls into the
 * module need no try/catch of their own.
 */
export class WasiHost {
  /** The instance's exports (functions, globals, its memory), once it is made. */
  exports: Readonly<Record<string, unknown>> = {};
  /** Set when the module calls fd_write (pause speaks, or an abort): then takeStderr() has something. */
  wrote = false;
  /** Set once the module aborted: its heap is unusable, and nothing may call it again. */
  aborted = false;
  /** Everything the module wrote to fd 2 since the last call. */
  readonly takeStderr: () => string;
  /** Releases what the host holds (a file descriptor). */
  readonly close: () => void;
  readonly #onAbort: () => void;

  constructor(takeStderr: () => string, close: () => void, onAbort: () => void) {
    this.takeStderr = takeStderr;
    this.close = close;
    this.#onAbort = onAbort;
  }

  /** The WASI implementation's imports, with fd_write and proc_exit as above. */
  imports(wasiImports: WasiImports): WasiImports {
    const wasi = wasiImports['wasi_snapshot_preview1']!;
    const write = wasi['fd_write']!;
    return {
      ...wasiImports,
      wasi_snapshot_preview1: {
        ...wasi,
        fd_write: (fd: number, iovs: number, count: number, written: number): number => {
          this.wrote = true;
          return write(fd, iovs, count, written);
        },
        proc_exit: (code: number): never => {
          throw this.#abort(code);
        },
      },
    };
  }

  // The module aborted: nothing may call it again, and the error says why.
  #abort(code: number): PausekitError {
    this.aborted = true;
    this.#onAbort();
    const stderr = this.takeStderr().trim();
    this.close();
    return new PausekitError(`the model aborted: ${stderr || `exit code ${code}, with nothing on stderr`}`, { engine: 'model', kind: 'abort', code });
  }
}

/** What the model needs of @wasmer/wasi (so that its types are not needed where it is absent). */
export interface WasmerWasi {
  init(): Promise<unknown>;
  WASI: new (options: { args: string[]; env: Record<string, string> }) => {
    getImports(module: object): object;
    instantiate(instance: object, imports: object): unknown;
    getStderrString(): string;
  };
}

// @wasmer/wasi, loaded on first use.
const importWasmer = async (): Promise<WasmerWasi> => (await import('@wasmer/wasi')) as WasmerWasi;

/**
 * Starts the module in a file under a runtime; onAbort runs if it aborts.
 * `loadWasmer` loads @wasmer/wasi (a test passes one that fails, to see
 * what a user without it is told).
 */
export async function startHost(runtime: WasiRuntime, file: string, onAbort: () => void, loadWasmer = importWasmer): Promise<WasiHost> {
  const module = compiledModule(file);
  return runtime === 'node' ? nodeHost(module, onAbort) : wasmerHost(module, onAbort, loadWasmer);
}

// @wasmer/wasi: a WASI in WebAssembly that keeps fd 2 in memory. Not
// installed (it is optional): one line saying so and what to do.
async function wasmerHost(module: WebAssembly.Module, onAbort: () => void, loadWasmer: () => Promise<WasmerWasi>): Promise<WasiHost> {
  let wasmer: WasmerWasi;
  try {
    wasmer = await loadWasmer();
  } catch (error) {
    if (!isMissingPackage(error)) throw error;
    throw new PausekitError('@wasmer/wasi is not installed: npm install @wasmer/wasi, or use the default node:wasi', {
      field: 'wasi', value: 'wasmer', kind: 'missing-package',
    });
  }
  await wasmer.init();
  const wasi = new wasmer.WASI({ args: [], env: {} });
  const host = new WasiHost(() => wasi.getStderrString(), () => {}, onAbort);
  const instance = new WebAssembly.Instance(module, host.imports(wasi.getImports(module) as WasiImports));
  wasi.instantiate(instance, {});
  host.exports = instance.exports;
  (instance.exports['_initialize'] as () => void)();
  return host;
}

// Whether an import failed because the package is not there (Node's ESM
// and CommonJS loaders' codes), not because it is there and broken.
function isMissingPackage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
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
async function nodeHost(module: WebAssembly.Module, onAbort: () => void): Promise<WasiHost> {
  const { WASI } = await importNodeWasi();
  const fd = anonymousFile();
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, stderr: fd });
  const takeStderr = (): string => {
    const size = fstatSync(fd).size;
    if (size === 0) return '';
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    ftruncateSync(fd, 0);
    return buffer.toString('utf8', 0, read);
  };
  const host = new WasiHost(takeStderr, () => closeSync(fd), onAbort);
  const instance = new WebAssembly.Instance(module, host.imports(wasi.getImportObject() as unknown as WasiImports));
  host.exports = instance.exports;
  wasi.initialize(instance);
  return host;
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
