// One instance of the model's module, shared by every world in it: the raw
// exports, the codes read from them (codes.ts) and pause's stderr. Calls go
// straight to the exports, each after live(): an abort inside the module
// becomes a PausekitError where it happens (hosts.ts, proc_exit) and leaves
// the instance broken for good, as it leaves the module's heap unusable.
import { PausekitError } from '../../errors.ts';
import { readCodes, type ModelCodes } from './codes.ts';
import type { WasiHost } from './hosts.ts';

/** The raw functions of build/asm/pause.wasm (asm/index.ts); its constants are read by codes.ts. */
export interface Exports {
  /** ignored, blocked: what pause is started with, bit n-1 for signal n (signalSet()). */
  create(design: number, mutant: number, pid1: number, ignored: bigint, blocked: bigint): number;
  createInit(
    design: number, mutant: number, pid1: number, exec: number, group: number, subreaper: number, reaps: number, ignored: bigint, blocked: bigint,
  ): number;
  expectCode(id: number, code: number): number;
  disposition(id: number, pid: number, sig: number, action: number): number;
  /** Bit n-1: signal n. */
  takeCaught(id: number, pid: number): bigint;
  caughtQueuedCount(id: number, pid: number, sig: number): number;
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
  /** Bit n-1: signal n. */
  processPending(id: number, pid: number): bigint;
  pausePhase(id: number): number;
  pauseDepth(id: number): number;
  pauseSteps(id: number): number;
  stateKey(id: number): number;
  ruleCount(rule: number): number;
  moveCount(from: number, to: number): number;
  takeCount(state: number, event: number): number;
  clearCounts(): void;
  countRules(on: number): void;
  keyWord(i: number): number;
  errorText(code: number): number;
  /** Debug build only (asm/debug.ts): the next invariant check first breaks its world (1..5, asm/kernel/check.ts CORRUPT_*). */
  corrupt?(how: number): number;
  /** Debug build only: invariant checks run so far (one per action). */
  checks?(): number;
}

/** The module started under one WASI host. */
export class ModelInstance {
  readonly exports: Exports;
  readonly codes: ModelCodes;
  readonly #host: WasiHost;

  /**
   * Reads the module's codes (a module that does not match this host is a
   * PausekitError naming each difference; the host is closed then).
   */
  constructor(host: WasiHost, file: string) {
    try {
      this.codes = readCodes(host.exports, file);
    } catch (error) {
      host.close();
      throw error;
    }
    this.exports = host.exports as unknown as Exports;
    this.#host = host;
  }

  /** Whether the module aborted (hosts.ts): every later call is refused. */
  get broken(): boolean {
    return this.#host.aborted;
  }

  /** The exports for a call, unless the module aborted earlier. */
  live(): Exports {
    if (this.#host.aborted) throw new PausekitError('the model aborted earlier; load it again with loadModel()', { engine: 'model', kind: 'abort' });
    return this.exports;
  }

  /** Whatever pause wrote to fd 2 since the last call ('' at once if it wrote nothing). */
  drain(): string {
    if (!this.#host.wrote) return '';
    this.#host.wrote = false;
    return this.#host.takeStderr();
  }
}
