// Long scenarios for the page-size test: `count` steps, every choice drawn
// from a seeded source, each step checked against the loader's static rules
// and played on the model as it is chosen, so the scenario is valid and
// plays to the end. pause is never told to stop (no SIGINT, SIGTERM or
// SIGKILL to it): the story goes on for every step.
import { PausekitError } from '../../src/errors.ts';
import { prng } from '../../src/bench/stats.ts';
import { applyStep } from '../../src/engines/model/engine.ts';
import type { ModelModule } from '../../src/engines/model/wasm.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { DispositionAction, Scenario, SignalName, Step } from '../../src/scenario/types.ts';

const SIGNALS: readonly SignalName[] = ['SIGCHLD', 'SIGUSR1', 'SIGUSR2', 'SIGHUP', 'SIGSTOP', 'SIGCONT', 'SIGKILL', 'SIGWINCH', 'SIGTERM'];
const ACTIONS: readonly DispositionAction[] = ['catch', 'block', 'ignore', 'default'];

/** A valid scenario of `count` steps; `spawnWeight` (0..1) sets how many processes it grows. */
export function longStory(model: ModelModule, seed: number, count: number, spawnWeight: number, init = false): Scenario {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const base: Omit<Scenario, 'steps'> = init
    ? { version: 1, pid1: true, init: { name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true } }
    : { version: 1, pid1: true };
  const world = model.create({ design: 'sigwait', pid1: true, init: base.init });
  const steps: Step[] = [];
  let spawned = 0;
  try {
    world.settle(-1);
    for (let tries = 0; steps.length < count; tries++) {
      if (tries > count * 200) throw new Error(`seed ${seed}: no valid step found after ${tries} tries`);
      // In init mode the program stays: its end would end pause, and the story with it.
      const living = world.names.filter((name) => world.process(name).state === 'running' && name !== base.init?.name);
      const roll = random();
      const step: Step = roll < spawnWeight || living.length === 0
        ? { event: 'spawn', name: `p${spawned}`, parent: living.length > 0 && random() < 0.7 ? pick(living) : 'outside', reaps: random() < 0.6 }
        : roll < spawnWeight + 0.2 ? { event: 'exit', name: pick(living), code: Math.floor(random() * 4) }
          : roll < spawnWeight + 0.3 ? { event: 'disposition', name: pick(living), signal: pick(SIGNALS.filter((s) => s !== 'SIGKILL' && s !== 'SIGSTOP')), action: pick(ACTIONS) }
            : { event: 'signal', target: pick(living), signal: pick(SIGNALS), from: random() < 0.5 ? 'outside' : pick(living) };
      try {
        parseScenario(JSON.stringify({ ...base, steps: [...steps, step] }), 'long story');
        const trial = world.clone();
        try {
          applyStep(trial, step, steps.length);
        } finally {
          trial.dispose();
        }
      } catch (error) {
        if (error instanceof PausekitError) continue;
        throw error;
      }
      applyStep(world, step, steps.length);
      world.settle(steps.length);
      world.observe(steps.length);
      if (step.event === 'spawn') spawned++;
      steps.push(step);
    }
  } finally {
    world.dispose();
  }
  return { ...base, steps };
}
