// Init mode on the model: every signal sent to pause while its program runs
// reaches the program, at least once under coalescing (random sequences of
// forwardable signals, from outside and from inside, to a program that
// catches them all; the same with the program blocking them first, when a
// real-time signal is delivered once per send); and
// when the program exits, pause exits with no zombie left and nothing left
// running in its namespace (random trees of orphans).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planArbitrary, playPlan } from '../../src/check/arbitraries.ts';
import { formatViolations } from '../../src/check/invariants.ts';
import { applyStep, runModel } from '../../src/engines/model/engine.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { FORWARDED_SIGNALS, JOB_CONTROL_SIGNALS, parseScenario } from '../../src/scenario/load.ts';
import { DESIGNS, REALTIME_SIGNALS, type Design, type InitConfig, type Scenario, type SignalName, type Step } from '../../src/scenario/types.ts';
import { describeCounterexample, findCounterexample, SEED } from '../support/property.ts';

const FILE = 'test/model/init-forwarding.test.ts';
const RUNS = Number(process.env['PAUSEKIT_PROPERTY_RUNS'] ?? 300);
/**
 * What pause forwards, but for the job-control stops: a stop signal and
 * SIGCONT cancel each other when sent, pending or blocked (K12), so they
 * would not each arrive once.
 */
const FORWARDED = [...FORWARDED_SIGNALS].filter((s) => !JOB_CONTROL_SIGNALS.has(s));
const model = await loadModel();

const init = (group: boolean): InitConfig => ({ name: 'app', exec: 'ok', group, subreaper: false, expect: [], reaps: true });
const catchAll = (name: string): Step[] => FORWARDED.map((signal) => ({ event: 'disposition', name, signal, action: 'catch' }));

const sends = fc.array(fc.record({
  signal: fc.constantFrom(...FORWARDED),
  fromInside: fc.boolean(),
}), { minLength: 1, maxLength: 12 });

describe.each<Design>(DESIGNS)('pause in init mode on the model (%s design)', (design) => {
  test(`forwards each signal it gets to a program that catches them all, one step at a time (seed ${SEED})`, async () => {
    const found = await findCounterexample({
      name: `init-forwarding-${design}`,
      testFile: FILE,
      arbitrary: fc.record({ pid1: fc.boolean(), group: fc.boolean(), sends }),
      numRuns: RUNS,
      failsWith: async ({ pid1, group, sends: list }) => {
        const steps: Step[] = [...catchAll('app'), { event: 'spawn', name: 'shell', parent: 'outside', reaps: true }];
        const first = steps.length;
        for (const s of list) steps.push({ event: 'signal', target: 'pause', signal: s.signal, from: s.fromInside ? 'shell' : 'outside' });
        const scenario = parseScenario(JSON.stringify({ version: 1, pid1, init: { ...init(group), subreaper: !pid1 }, steps }), 'generated');
        const observations = await runModel(scenario, { design });
        for (let i = first; i < steps.length; i++) {
          const step = steps[i] as Extract<Step, { event: 'signal' }>;
          const app = observations[i + 1]!.processes['app']!;
          if (JSON.stringify(app.caught) !== JSON.stringify([step.signal])) {
            return { scenario, why: `after step ${i} (${step.signal} to pause) app caught ${JSON.stringify(app.caught)}` };
          }
        }
        return null;
      },
    });
    expect(found === null ? null : describeCounterexample(found)).toBeNull();
  });

  test(`delivers each blocked signal once when the program unblocks it, however often it was sent, a real-time one once per send (seed ${SEED})`, async () => {
    const found = await findCounterexample({
      name: `init-forwarding-blocked-${design}`,
      testFile: FILE,
      arbitrary: sends,
      numRuns: RUNS,
      failsWith: async (list) => {
        // Standard signals coalesce; real-time ones queue, one delivery per kill() (K16).
        const sent = list.map((s) => s.signal).filter((s, i, all) => REALTIME_SIGNALS.includes(s) || all.indexOf(s) === i).sort();
        const steps: Step[] = [
          ...FORWARDED.map((signal): Step => ({ event: 'disposition', name: 'app', signal, action: 'block' })),
          ...list.map((s): Step => ({ event: 'signal', target: 'pause', signal: s.signal, from: 'outside' })),
          ...catchAll('app'),
        ];
        const scenario = parseScenario(JSON.stringify({ version: 1, init: init(false), steps }), 'generated');
        const observations = await runModel(scenario, { design });
        const caught: SignalName[] = observations.flatMap((o) => o.processes['app']?.caught ?? []);
        if (JSON.stringify([...caught].sort()) !== JSON.stringify(sent)) {
          return { scenario, why: `app caught ${JSON.stringify(caught)}, sent ${JSON.stringify(sent)}` };
        }
        return null;
      },
    });
    expect(found === null ? null : describeCounterexample(found)).toBeNull();
  });

  test(`leaves no zombie behind when its program exits, whatever orphans it adopted (seed ${SEED})`, async () => {
    const found = await findCounterexample({
      name: `init-no-zombie-${design}`,
      testFile: FILE,
      arbitrary: fc.tuple(planArbitrary({ init: 'always', maxOps: 10 }), fc.integer({ min: 0, max: 255 })),
      numRuns: RUNS,
      failsWith: ({ 0: plan, 1: code }) => {
        const played = playPlan(model, { ...plan, init: { ...plan.init!, exec: 'ok', expect: [] } }, { design });
        const last = played.observations.at(-1)!;
        // A broken invariant on the way is a failure too (properties.test.ts hunts them).
        if (played.violations.length > 0) return { scenario: played.scenario, why: formatViolations(played.violations) };
        if (last.pause.state !== 'running') return null;
        if (last.processes['app']?.state !== 'running') return null;
        const scenario: Scenario = { ...played.scenario, steps: [...played.scenario.steps, { event: 'exit', name: 'app', code }] };
        const world = model.create({ design, pid1: scenario.pid1, init: scenario.init, inherit: scenario.inherit });
        try {
          world.settle(-1);
          scenario.steps.forEach((step, i) => {
            applyStep(world, step, i);
            world.settle(i);
          });
          const end = world.observe(scenario.steps.length - 1);
          // As a plain process, others live on (a zombie of a living parent that never reaps is theirs).
          const left = scenario.pid1 ? Object.entries(end.processes).filter(([, p]) => p.state !== 'gone').map(([n]) => n) : [];
          if (end.pause.state !== 'exited' || world.zombiesAtExit !== 0 || left.length > 0) {
            return { scenario, why: `pause ${JSON.stringify(end.pause)}, zombie children at its exit ${world.zombiesAtExit}, left in its namespace ${left}` };
          }
          return null;
        } finally {
          world.dispose();
        }
      },
    });
    expect(found === null ? null : describeCounterexample(found)).toBeNull();
  });
});
