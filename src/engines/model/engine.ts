// The scenario engine "model": plays a scenario on the WebAssembly model,
// settling after each event, and records the same observations the kernel
// runner does (observations[0] is step -1, pause just started and settled).
import { PausekitError, checkArgument, isRecord, printable } from '../../errors.ts';
import { normalizeScenario } from '../../scenario/load.ts';
import type { Design, Observation, Scenario, ScenarioInput, Step } from '../../scenario/types.ts';
import type { Mutant } from './codes.ts';
import type { WasiRuntime } from './hosts.ts';
import { loadModel } from './module.ts';
import { ModelWorld } from './world.ts';
import { remember } from '../provenance.ts';

export type { Mutant } from './codes.ts';

/** The design runModel() plays unless told: pause's default (native/pause.c). */
export const DEFAULT_DESIGN: Design = 'sigwait';

/** Applies one scenario event to a world (no settling). */
export function applyStep(world: ModelWorld, step: Step, index: number): void {
  checkArgument(world instanceof ModelWorld, 'applyStep(world, step, index): world', 'a world (model.create())', world);
  checkArgument(isRecord(step) && typeof step.event === 'string', 'applyStep(world, step, index): step', 'a scenario step ({ event: ... })', step);
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
      default:
        throw new PausekitError(`unknown event '${printable(String((step as { event: unknown }).event), 40)}'`, { field: 'event', value: (step as { event: unknown }).event });
    }
  } catch (error) {
    if (error instanceof PausekitError) {
      throw new PausekitError(`step ${index} (${step.event}): ${error.message}`, { ...error.details, step: index });
    }
    throw error;
  }
}

/**
 * Runs a scenario (from parseScenario or loadScenario) on the model; one
 * observation per step, after settling. Without options it plays
 * DEFAULT_DESIGN (a JavaScript caller that leaves out the design gets it
 * too); `mutant` plays one of pause's catalogued bugs; `wasi` picks the
 * WASI implementation (default: the faster, DEFAULT_WASI).
 */
export async function runModel(
  input: ScenarioInput, options: { design: Design; mutant?: Mutant; wasi?: WasiRuntime } = { design: DEFAULT_DESIGN },
): Promise<Observation[]> {
  checkRunArguments(input, options);
  const scenario = normalizeScenario(input);
  const model = await loadModel({ wasi: options.wasi });
  const world = model.create({
    design: options.design ?? DEFAULT_DESIGN, mutant: options.mutant, pid1: scenario.pid1, init: scenario.init, inherit: scenario.inherit,
  });
  try {
    world.settle(-1);
    const observations = [world.observe(-1)];
    scenario.steps.forEach((step, index) => {
      applyStep(world, step, index);
      world.settle(index);
      observations.push(world.observe(index));
    });
    return remember(observations, { scenario, engine: 'model', design: options.design ?? DEFAULT_DESIGN, mutant: options.mutant, model });
  } finally {
    world.dispose();
  }
}

// runModel()'s arguments as a JavaScript caller may pass them, checked
// before anything runs: one PausekitError naming the first that is wrong
// (the design, mutant and runtime are checked by name where they are used).
function checkRunArguments(scenario: unknown, options: unknown): void {
  const fail = (field: string, what: string, value: unknown): never => {
    throw new PausekitError(`runModel(scenario, options): ${field} ${what}`, { field, value });
  };
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) {
    fail('scenario', 'must be a scenario object (from parseScenario or loadScenario)', scenario);
  }
  const { steps, pid1, init } = scenario as Partial<Scenario>;
  if (!Array.isArray(steps)) fail('scenario.steps', 'must be an array of steps (parse the scenario with parseScenario or loadScenario)', steps);
  const bad = steps!.findIndex((step) => typeof step !== 'object' || step === null);
  if (bad >= 0) fail(`scenario.steps[${bad}]`, 'must be a step object', steps![bad]);
  if (pid1 !== undefined && typeof pid1 !== 'boolean') fail('scenario.pid1', 'must be true or false', pid1);
  if (init !== undefined && (typeof init !== 'object' || init === null)) fail('scenario.init', 'must be an init object or absent', init);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options', "must be an object such as { design: 'sigwait' }", options);
  }
}
