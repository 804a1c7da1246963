// The scenario engine "model": plays a scenario on the WebAssembly model,
// settling after each event, and records the same observations the kernel
// runner does (observations[0] is step -1, pause just started and settled).
import { PausekitError } from '../../errors.ts';
import { loadModel } from './wasm.ts';
import { remember } from '../provenance.ts';
import type { Mutant, ModelWorld, WasiRuntime } from './wasm.ts';
import type { Design, Observation, Scenario, Step } from '../../scenario/types.ts';

export type { Mutant } from './wasm.ts';

/** Applies one scenario event to a world (no settling). */
export function applyStep(world: ModelWorld, step: Step, index: number): void {
  try {
    switch (step.event) {
      case 'spawn':
        world.spawn(step.name, step.parent, step.reaps);
        break;
      case 'exit':
        world.exit(step.name, step.code);
        break;
      case 'signal':
        world.kill(step.target, step.signal, step.from);
        break;
      case 'subreaper':
        world.subreaper(step.name);
        break;
      case 'disposition':
        world.disposition(step.name, step.signal, step.action);
        break;
    }
  } catch (error) {
    if (error instanceof PausekitError) {
      throw new PausekitError(`step ${index} (${step.event}): ${error.message}`, { ...error.details, step: index });
    }
    throw error;
  }
}

/**
 * Runs a scenario on the model; one observation per step, after settling.
 * `mutant` plays one of pause's catalogued bugs; `wasi` picks the WASI
 * implementation (default: the faster, DEFAULT_WASI).
 */
export async function runModel(scenario: Scenario, options: { design: Design; mutant?: Mutant; wasi?: WasiRuntime }): Promise<Observation[]> {
  const model = await loadModel({ wasi: options.wasi });
  const world = model.create({ design: options.design, mutant: options.mutant, pid1: scenario.pid1, init: scenario.init });
  try {
    world.settle(-1);
    const observations = [world.observe(-1)];
    scenario.steps.forEach((step, index) => {
      applyStep(world, step, index);
      world.settle(index);
      observations.push(world.observe(index));
    });
    return remember(observations, { scenario, engine: 'model', design: options.design, mutant: options.mutant, model });
  } finally {
    world.dispose();
  }
}
