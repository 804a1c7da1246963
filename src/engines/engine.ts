// The two engines behind one interface: a scenario goes in, one observation
// per step comes out (observations[0] is step -1, pause just started). The
// CLI picks one by name (`pausekit run --engine`); `pausekit diff` runs both.
import { runKernel, type KernelOptions } from './kernel/engine.ts';
import { runModel } from './model/engine.ts';
import type { WasiRuntime } from './model/hosts.ts';
import type { Design, Observation, Scenario } from '../scenario/types.ts';

export const ENGINE_NAMES = ['kernel', 'model'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface Engine {
  readonly name: EngineName;
  /** Runs a validated scenario with one design of pause. */
  run(scenario: Scenario, design: Design): Promise<Observation[]>;
}

/**
 * The real Linux kernel; `binary` replaces the design's pause (e.g. a mutant
 * build); `init` runs an init-mode scenario's program under a peer instead,
 * `initCommand` under any init given as a command line.
 */
export function kernelEngine(options: Pick<KernelOptions, 'binary' | 'init' | 'initCommand'> = {}): Engine {
  return { name: 'kernel', run: (scenario, design) => runKernel(scenario, { design, binary: options.binary, init: options.init, initCommand: options.initCommand }) };
}

/** The WebAssembly model of pause and the kernel rules, under a WASI implementation (default: the faster). */
export function modelEngine(options: { wasi?: WasiRuntime } = {}): Engine {
  return { name: 'model', run: (scenario, design) => runModel(scenario, { design, wasi: options.wasi }) };
}

/** The engine of a name; `wasi` applies to the model. */
export function engineNamed(name: EngineName, options: { wasi?: WasiRuntime } = {}): Engine {
  return name === 'kernel' ? kernelEngine() : modelEngine(options);
}
