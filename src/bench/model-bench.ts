// The model's speed through its public TypeScript API: settled events per
// second (one call, then settle()), and random property-test scenarios per
// second (generate a plan, play it, check every invariant), as
// `fc.assert(fc.property(...))` runs them in the test suite. Each under both
// WASI implementations the model runs on (node:wasi and @wasmer/wasi).
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { planArbitrary, playPlan } from '../check/arbitraries.ts';
import { loadModel, ModelModule, WASI_RUNTIMES } from '../engines/model/wasm.ts';
import type { ModelWorld, WasiRuntime } from '../engines/model/wasm.ts';
import type { Design } from '../scenario/types.ts';

export interface ModelResult {
  /** The WASI implementation (absent in runs saved before there were two: @wasmer/wasi). */
  wasi?: WasiRuntime;
  /** loadModel() under that runtime: its WASI library, instantiation, _initialize (the module compiled already). */
  loadMs?: number;
  design: Design;
  events: number;
  /** Worlds of 20 processes, the size property tests and explore use. */
  eventsPerSecond: number;
  /** Worlds grown to 2,000 processes: how an event's cost scales with the table. */
  eventsPerSecondLarge: number;
  scenarios: number;
  scenariosPerSecond: number;
}

/** Cycles per world (2 processes each): small worlds, and large ones. */
const SMALL_WORLD_CYCLES = 10;
const LARGE_WORLD_CYCLES = 1000;

/**
 * One cycle, four settled events: a process starts, forks a child, exits
 * (the child is orphaned to pause), then the child exits (pause reaps it).
 */
function cycle(world: ModelWorld, i: number): void {
  const parent = `p${i}`;
  const child = `c${i}`;
  world.spawn(parent, 'outside', true);
  world.settle();
  world.spawn(child, parent, true);
  world.settle();
  world.exit(parent, 0);
  world.settle();
  world.exit(child, 0);
  world.settle();
}

function settledEvents(model: ModelModule, design: Design, events: number, cyclesPerWorld: number): number {
  const cycles = Math.ceil(events / 4);
  const start = performance.now();
  for (let done = 0; done < cycles;) {
    const world = model.create({ design, pid1: true });
    try {
      world.settle();
      // Names restart in every world, as in scenarios ("p0", "c0", ...).
      const end = Math.min(cycles, done + cyclesPerWorld);
      for (let i = 0; done < end; done++, i++) cycle(world, i);
    } finally {
      world.dispose();
    }
  }
  return (cycles * 4) / ((performance.now() - start) / 1000);
}

function propertyScenarios(model: ModelModule, design: Design, scenarios: number, seed: number): number {
  const start = performance.now();
  fc.assert(
    fc.property(planArbitrary({ maxOps: 10 }), (plan) => playPlan(model, plan, { design }).violations.length === 0),
    { seed, numRuns: scenarios },
  );
  return scenarios / ((performance.now() - start) / 1000);
}

/** Rounds per figure; each figure is the median of its rounds. */
const ROUNDS = 3;

/**
 * Both designs under each WASI runtime. The two runtimes run the same
 * module, so their figures differ by little more than the machine's noise:
 * a warm-up pass first (the JIT and both modules hot), then rounds that
 * alternate which runtime goes first, and the median of the rounds.
 */
export async function benchModel(options: { events: number; scenarios: number; seed: number }): Promise<ModelResult[]> {
  // The release build always (PAUSEKIT_MODEL_BUILD=debug is for tests).
  ModelModule.imports('release'); // compiles the module, so that loadMs is the runtime's own cost
  const models: { wasi: WasiRuntime; model: ModelModule; loadMs: number }[] = [];
  for (const wasi of WASI_RUNTIMES) {
    const start = performance.now();
    const model = await loadModel({ wasi, build: 'release' });
    models.push({ wasi, model, loadMs: performance.now() - start });
  }
  const designs = ['sigwait', 'handlers'] as const;
  const samples = new Map<string, { small: number[]; large: number[]; scenarios: number[] }>();
  for (const { wasi, model } of models) {
    for (const design of designs) {
      settledEvents(model, design, Math.min(4000, options.events), SMALL_WORLD_CYCLES);
      propertyScenarios(model, design, Math.min(50, options.scenarios), options.seed);
      samples.set(`${wasi} ${design}`, { small: [], large: [], scenarios: [] });
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? models : [...models].reverse();
    for (const design of designs) {
      for (const { wasi, model } of order) {
        const s = samples.get(`${wasi} ${design}`)!;
        s.small.push(settledEvents(model, design, options.events, SMALL_WORLD_CYCLES));
        s.large.push(settledEvents(model, design, Math.ceil(options.events / 4), LARGE_WORLD_CYCLES));
        s.scenarios.push(propertyScenarios(model, design, options.scenarios, options.seed));
      }
    }
  }
  return models.flatMap(({ wasi, loadMs }) => designs.map((design): ModelResult => {
    const s = samples.get(`${wasi} ${design}`)!;
    return {
      wasi, loadMs, design,
      events: options.events,
      eventsPerSecond: median(s.small),
      eventsPerSecondLarge: median(s.large),
      scenarios: options.scenarios,
      scenariosPerSecond: median(s.scenarios),
    };
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
