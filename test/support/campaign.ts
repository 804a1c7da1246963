// The differential at scale: every random scenario of a seeded run played
// on the model and on the kernel, many at once (a KernelPool), judged one by
// one, and summed up in a report. Run i of a seed is the plan fast-check
// draws at run i of fc.check with that seed, so a shard of the run (every
// Nth index) plays exactly the scenarios the whole run would, and any one
// of them replays alone: fc.check with the seed and path "i" draws it
// again, and on a failure shrinks it as fast-check always does.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { deepPlanArbitrary, playPlan, type Plan } from '../../src/check/arbitraries.ts';
import { KernelPool } from '../../src/engines/kernel/pool.ts';
import { PausekitError } from '../../src/errors.ts';
import type { ModelCoverage, ModelModule } from '../../src/engines/model/wasm.ts';
import type { Design, Observation, Scenario } from '../../src/scenario/types.ts';
import { firstDifference, kernelOutcome, modelOutcome, type Outcome } from './differential.ts';

/** The differential's random plans: pause alone or an init's program, PID 1 or not, up to 32 operations. */
export const DIFFERENTIAL_PLANS: fc.Arbitrary<Plan> = deepPlanArbitrary();

/** Which part of a run to play: shard `index` of `count` (1-based, as --shard K/N). */
export interface Shard {
  index: number;
  count: number;
}

/** The whole run as a shard: 1/1. */
export const WHOLE: Shard = { index: 1, count: 1 };

/** Whether run i belongs to a shard: shard K of N plays i = K-1, K-1+N, K-1+2N... */
export function inShard(i: number, shard: Shard): boolean {
  return i % shard.count === shard.index - 1;
}

/** How a scenario ended: pause's state after its last step. */
export type Ending = 'running' | 'stopped' | `exited ${number}` | `killed ${string}`;

/**
 * One scenario's verdict: which run, a digest of the scenario (the same
 * run plays the same scenario, wherever it is played), its length, how and
 * when pause ended (the step at which it first was no longer running or
 * stopped, or null), and whether the engines agreed.
 */
export interface Verdict {
  index: number;
  digest: string;
  steps: number;
  ending: Ending;
  endedAt: number | null;
  agree: boolean;
  /** The first difference, when they did not. */
  why?: string;
}

/** What a run (or a shard of it) found, per design. */
export interface CampaignReport {
  seed: number;
  runs: number;
  shard: Shard;
  designs: Design[];
  verdicts: Record<string, Verdict[]>;
  /** What the model's worlds did while each design's scenarios played on it. */
  coverage: Record<string, ModelCoverage>;
  /** Wall time of the whole shard. */
  elapsedMs: number;
}

export interface CampaignOptions {
  model: ModelModule;
  seed: number;
  /** Random scenarios per design (the whole run's, not the shard's). */
  runs: number;
  /** The first run to play (default 0): runs [first, runs) of the seed. */
  first?: number;
  designs: readonly Design[];
  arbitrary: fc.Arbitrary<Plan>;
  shard?: Shard;
  /** Kernel sessions at once (default: the pool's, the machine's CPUs). */
  workers?: number;
  /** Another pause binary for the kernel (a mutant's): its design's by default. */
  binary?: (design: Design) => string;
  /** Called after each design's chunk of scenarios: how far, how fast. */
  progress?: (design: Design, done: number, total: number, elapsedMs: number) => void;
}

/** Plans drawn in one fc.sample call; the stream of a run is cut into these. */
const CHUNK = 500;

/** The plans of runs [from, from + count) of a seed, as fc.check draws them. */
export function plansOf(arbitrary: fc.Arbitrary<Plan>, seed: number, from: number, count: number): Plan[] {
  return count <= 0 ? [] : fc.sample(arbitrary, { seed, numRuns: count, path: String(from) });
}

/** A short digest of a scenario: equal scenarios, equal digests. */
export function digestOf(scenario: Scenario): string {
  return createHash('sha1').update(JSON.stringify(scenario)).digest('hex').slice(0, 12);
}

/** pause's state after the last step, and the step at which it first ended (null if it never did). */
export function endingOf(observations: Observation[]): { ending: Ending; endedAt: number | null } {
  const last = observations.at(-1)!.pause;
  const ending: Ending = last.state === 'exited' ? `exited ${last.code}` : last.state === 'killed' ? `killed ${last.signal}` : last.state;
  const ended = observations.find((o) => o.pause.state === 'exited' || o.pause.state === 'killed');
  return { ending, endedAt: ended === undefined ? null : ended.step };
}

/**
 * A plan played on the model as a scenario, with the model's outcome: the
 * observations playPlan took on the way (the same world, the same settling
 * as runModel), or, where playPlan stopped at a livelock, what runModel
 * makes of the scenario (a livelock is an outcome too). The model's own
 * invariants are left to the property tests.
 */
async function onModel(model: ModelModule, plan: Plan, design: Design): Promise<{ scenario: Scenario; model: Outcome }> {
  const played = playPlan(model, plan, { design, check: false });
  if (played.violations.length === 0) return { scenario: played.scenario, model: { observations: played.observations } };
  return { scenario: played.scenario, model: await modelOutcome(played.scenario, design) };
}

/** Two readings of the model's counters added up (sign -1: what it did between them). */
export function sumCoverage(after: ModelCoverage, before: ModelCoverage, sign = 1): ModelCoverage {
  const rules = { ...after.rules };
  for (const rule of Object.keys(rules) as (keyof typeof rules)[]) rules[rule] += sign * before.rules[rule];
  const keyed = <T extends { count: number }>(list: T[], key: (item: T) => string, others: T[]): T[] => {
    const counts = new Map(list.map((item) => [key(item), { ...item }]));
    for (const item of others) {
      const known = counts.get(key(item));
      if (known !== undefined) known.count += sign * item.count;
      else counts.set(key(item), { ...item, count: sign * item.count });
    }
    return [...counts.values()].filter((item) => item.count !== 0);
  };
  return {
    rules,
    moves: keyed<ModelCoverage['moves'][number]>(after.moves, (m) => `${m.from} ${m.to}`, before.moves),
    takes: keyed<ModelCoverage['takes'][number]>(after.takes, (t) => `${t.state} ${t.event}`, before.takes),
  };
}

/** One scenario judged: both engines' outcomes compared. */
async function judge(index: number, scenario: Scenario, model: Outcome, design: Design, pool: KernelPool, binary?: string): Promise<Verdict> {
  let kernel: Outcome | undefined;
  let difference: string | null;
  try {
    kernel = await kernelOutcome(scenario, design, binary, undefined, pool);
    difference = firstDifference(model, kernel);
  } catch (error) {
    // The kernel run failed (the driver said what it should not): a
    // failing verdict, so the run is named, shrunk and replayable.
    if (!(error instanceof PausekitError)) throw error;
    difference = `the kernel run failed: ${error.message}`;
  }
  const shown = 'observations' in model ? model.observations : kernel !== undefined && 'observations' in kernel ? kernel.observations : [];
  const { ending, endedAt } = shown.length > 0 ? endingOf(shown) : { ending: 'running' as const, endedAt: null };
  const verdict: Verdict = { index, digest: digestOf(scenario), steps: scenario.steps.length, ending, endedAt, agree: difference === null };
  if (difference !== null) verdict.why = difference;
  return verdict;
}

/**
 * Plays a shard of a seeded run (the whole run by default) on every
 * design: each scenario on the model here, and on the kernel in a pool of
 * sessions, `workers` at once. Every verdict is kept, agreeing or not.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const shard = options.shard ?? WHOLE;
  const pool = new KernelPool({ workers: options.workers });
  const started = performance.now();
  const verdicts: Record<string, Verdict[]> = {};
  const coverage: Record<string, ModelCoverage> = {};
  try {
    for (const design of options.designs) {
      const mine: Verdict[] = [];
      const counted = options.model.coverage();
      const first = options.first ?? 0;
      let total = 0;
      for (let i = first; i < options.runs; i++) if (inShard(i, shard)) total++;
      const designStarted = performance.now();
      // Keep every kernel session busy, with a scenario or two ready for each.
      const inFlight = new Set<Promise<void>>();
      for (let from = first; from < options.runs; from += CHUNK) {
        const plans = plansOf(options.arbitrary, options.seed, from, Math.min(CHUNK, options.runs - from));
        for (const [offset, plan] of plans.entries()) {
          if (!inShard(from + offset, shard)) continue;
          const { scenario, model } = await onModel(options.model, plan, design);
          const judged: Promise<void> = judge(from + offset, scenario, model, design, pool, options.binary?.(design)).then((verdict) => {
            mine.push(verdict);
            inFlight.delete(judged);
          });
          inFlight.add(judged);
          if (inFlight.size >= 2 * pool.workers) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        options.progress?.(design, mine.length, total, performance.now() - designStarted);
      }
      mine.sort((a, b) => a.index - b.index);
      coverage[design] = sumCoverage(options.model.coverage(), counted, -1);
      verdicts[design] = mine;
    }
  } finally {
    await pool.close();
  }
  return { seed: options.seed, runs: options.runs, shard, designs: [...options.designs], verdicts, coverage, elapsedMs: performance.now() - started };
}

/** A failing run, shrunk: the scenario fast-check shrank it to, why it fails, and how to replay it. */
export interface ShrunkFailure {
  design: Design;
  index: number;
  scenario: Scenario;
  why: string;
  shrinks: number;
}

/**
 * Plays run `index` of the seed alone on `design` and, if the engines
 * disagree there, lets fast-check shrink it (fc.check from path "index"):
 * the smallest failing scenario it finds, or null when run `index` agrees.
 */
export async function shrinkRun(options: { model: ModelModule; seed: number; index: number; design: Design; arbitrary: fc.Arbitrary<Plan>; binary?: string }): Promise<ShrunkFailure | null> {
  const { model, design } = options;
  const failsWith = async (plan: Plan): Promise<{ scenario: Scenario; why: string } | null> => {
    const played = await onModel(model, plan, design);
    const difference = firstDifference(played.model, await kernelOutcome(played.scenario, design, options.binary));
    return difference === null ? null : { scenario: played.scenario, why: difference };
  };
  const details = await fc.check(fc.asyncProperty(options.arbitrary, async (plan) => (await failsWith(plan)) === null), {
    seed: options.seed, path: String(options.index), numRuns: 1,
  });
  if (!details.failed) return null;
  if (details.counterexample === null) throw details.errorInstance;
  const shrunk = await failsWith(details.counterexample[0]);
  // A shrunk case that passes when played again is not the failure: play the run itself.
  const found = shrunk ?? (await failsWith(plansOf(options.arbitrary, options.seed, options.index, 1)[0]!));
  if (found === null) throw new Error(`run ${options.index} (${design}) failed under fast-check but agrees when played again`);
  return { design, index: options.index, scenario: found.scenario, why: shrunk === null ? `${found.why}\n(not shrunk: the shrunk case agreed when played again)` : found.why, shrinks: details.numShrinks };
}
