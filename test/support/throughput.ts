// The kernel differential's throughput, old path against new, side by side:
//
//   npx tsx test/support/throughput.ts --old-rev REV [--seed S] [--runs N]
//                                      [--rounds R] [--design D] [--plans deep|short]
//
// REV is a commit of this repository from before the differential ran at
// scale (its own driver, one driver process per scenario, and its runners):
// it is unpacked into build/throughput/REV/ and its native programs built
// there. The same scenarios (the seed's plans, played on the model) then
// run R rounds each way, alternating which goes first: the old way, one
// after the other as the old differential test ran them (the old runModel,
// then the old runKernel); the new way, as the deep run plays them
// (test/support/campaign.ts: the plan played once on the model, the kernel
// in a pool of driver servers). It prints each round's scenarios per second
// and CPU time (this process and its children), their medians and ratio,
// and checks that both ways judged every scenario alike.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deepPlanArbitrary, planArbitrary, playPlan, type Plan } from '../../src/check/arbitraries.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { DESIGNS, type Design, type Observation, type Scenario } from '../../src/scenario/types.ts';
import { plansOf, runCampaign } from './campaign.ts';
import { firstDifference, type Outcome } from './differential.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The old checkout, unpacked and built once: its directory. */
function oldCheckout(rev: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(rev)) throw new Error(`--old-rev: expected a commit id (hex), got '${rev}'`);
  const dir = `${ROOT}build/throughput/${rev}/`;
  if (!existsSync(`${dir}build/native/pausekit-driver`)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${rev} | tar -x -C "${dir}"`], { stdio: 'inherit' });
    if (!existsSync(`${dir}node_modules`)) symlinkSync(`${ROOT}node_modules`, `${dir}node_modules`);
    execFileSync('make', ['-s', '-C', `${dir}native`], { stdio: 'inherit' });
    // Its model is built as this checkout builds it (npm run build:asm there needs nothing more).
    execFileSync(process.execPath, [`${ROOT}node_modules/assemblyscript/bin/asc.js`, '--config', 'asm/asconfig.json', '--target', 'release'], { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}

/** CPU time (user and system) of this process, and of its children waited for (drivers, pause, named processes), in ms. */
function cpuMs(): { own: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return { own: (Number(fields[11]) + Number(fields[12])) * 10, children: (Number(fields[13]) + Number(fields[14])) * 10 };
}

/** One round: scenarios per second, CPU ms per scenario (all, and node's own share), and each scenario's verdict. */
interface Round {
  perSecond: number;
  cpuMs: number;
  ownMs: number;
  agree: boolean[];
}

/** A round's figures from its start, its end and its verdicts. */
function roundOf(started: number, cpu: { own: number; children: number }, count: number, agree: boolean[]): Round {
  const seconds = (performance.now() - started) / 1000;
  const now = cpuMs();
  const own = now.own - cpu.own;
  return { perSecond: count / seconds, cpuMs: (own + now.children - cpu.children) / count, ownMs: own / count, agree };
}

type OldEngines = {
  runModel: (s: Scenario, o: { design: Design }) => Promise<Observation[]>;
  runKernel: (s: Scenario, o: { design: Design }) => Promise<Observation[]>;
};

/** An engine's outcome as the old differential took it: observations, or the livelock. */
async function outcome(run: () => Promise<Observation[]>): Promise<Outcome> {
  try {
    return { observations: await run() };
  } catch (error) {
    const details = (error as { details?: { kind?: string; step?: number } }).details;
    if (details?.kind === 'livelock') return { livelock: Number(details.step) };
    throw error;
  }
}

/** The old way: each scenario played on the model, then on the kernel, one after the other. */
async function oldRound(old: OldEngines, model: Awaited<ReturnType<typeof loadModel>>, plans: Plan[], design: Design): Promise<Round> {
  const started = performance.now();
  const cpu = cpuMs();
  const agree: boolean[] = [];
  for (const plan of plans) {
    const scenario = playPlan(model, plan, { design }).scenario;
    const m = await outcome(() => old.runModel(scenario, { design }));
    const k = await outcome(() => old.runKernel(scenario, { design }));
    agree.push(firstDifference(m, k) === null);
  }
  return roundOf(started, cpu, plans.length, agree);
}

/** The new way: the deep run's campaign over the same runs. */
async function newRound(model: Awaited<ReturnType<typeof loadModel>>, seed: number, from: number, runs: number, design: Design, arbitrary: ReturnType<typeof deepPlanArbitrary>): Promise<Round> {
  const started = performance.now();
  const cpu = cpuMs();
  const report = await runCampaign({ model, seed, runs: from + runs, first: from, designs: [design], arbitrary });
  return roundOf(started, cpu, runs, report.verdicts[design]!.map((v) => v.agree));
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const { values } = parseArgs({
  options: {
    'old-rev': { type: 'string' }, seed: { type: 'string', default: '20261207' }, runs: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' }, design: { type: 'string', default: 'sigwait' }, plans: { type: 'string', default: 'deep' },
  },
});
if (values['old-rev'] === undefined) throw new Error('--old-rev REV: the commit whose differential to measure against');
const design = values.design as Design;
if (!DESIGNS.includes(design)) throw new Error(`--design: one of ${DESIGNS.join(', ')}`);
const [seed, runs, rounds] = [Number(values.seed), Number(values.runs), Number(values.rounds)];
const arbitrary = values.plans === 'short' ? planArbitrary({ maxOps: 8 }) : deepPlanArbitrary();
const dir = oldCheckout(values['old-rev']);
const old: OldEngines = {
  runModel: (await import(`${dir}src/engines/model/engine.ts`)).runModel,
  runKernel: (await import(`${dir}src/engines/kernel/engine.ts`)).runKernel,
};
const model = await loadModel();
const results: { old: Round[]; new: Round[] } = { old: [], new: [] };
console.log(`throughput: ${values.plans} plans, seed ${seed}, ${design} design, ${rounds} rounds of ${runs} scenarios each way (old: ${values['old-rev']}); load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (let round = 0; round < rounds; round++) {
  const from = round * runs;
  const plans = plansOf(arbitrary, seed, from, runs);
  const ways = round % 2 === 0 ? ['old', 'new'] as const : ['new', 'old'] as const;
  for (const way of ways) {
    const result = way === 'old' ? await oldRound(old, model, plans, design) : await newRound(model, seed, from, runs, design, arbitrary);
    results[way].push(result);
    console.log(`  round ${round + 1} ${way}: ${result.perSecond.toFixed(1)} scenarios/s, ${result.cpuMs.toFixed(2)} ms of CPU per scenario (node ${result.ownMs.toFixed(2)}), ${result.agree.filter((a) => !a).length} disagree`);
  }
  const same = results.old.at(-1)!.agree.every((a, i) => a === results.new.at(-1)!.agree[i]);
  if (!same) console.log(`  round ${round + 1}: the two ways judged some scenario differently`);
}
const [o, n] = [median(results.old.map((r) => r.perSecond)), median(results.new.map((r) => r.perSecond))];
const [oc, nc] = [median(results.old.map((r) => r.cpuMs)), median(results.new.map((r) => r.cpuMs))];
const [oo, no] = [median(results.old.map((r) => r.ownMs)), median(results.new.map((r) => r.ownMs))];
console.log(`median: old ${o.toFixed(1)} scenarios/s (${oc.toFixed(2)} ms CPU each, node ${oo.toFixed(2)}), new ${n.toFixed(1)} scenarios/s (${nc.toFixed(2)} ms CPU each, node ${no.toFixed(2)}): ` +
  `${(n / o).toFixed(2)}x the throughput, ${(oc / nc).toFixed(2)}x less CPU; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
