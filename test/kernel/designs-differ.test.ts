// Where the signal designs differ, and why. Every scenario of pause
// signals from outside up to five steps long (four after a process tree
// with a zombie) runs on the model in the sigwait and handlers designs; each
// scenario where they differ must be the one known case (docs/model.md,
// K3): pause resumes with SIGINT and SIGTERM both pending; the
// sigwait design takes SIGINT (lowest number) and prints "Interrupt", the
// handler design stacks SIGTERM's frame on top of SIGINT's and prints
// "Terminated". The autoreap design against sigwait: every scenario of
// pause signals and exits of two adopted orphans, up to five steps; they
// differ only while pause is stopped and an orphan has exited: sigwait's
// pause holds a zombie until it runs again, autoreap's kernel released the
// orphan at its exit (K15). The kernel confirms the shortest cases.
import { describe, expect, test } from 'vitest';
import { applyStep } from '../../src/engines/model/engine.ts';
import { loadModel, type ModelWorld } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';
import type { Observation, Scenario, SignalName, Step } from '../../src/scenario/types.ts';
import { firstDifference, kernelOutcome, modelOutcome } from '../support/differential.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const model = await loadModel();
const noKernel = cannotRun('the kernel cases of the design comparisons', KERNEL);
const ALPHABET: SignalName[] = ['SIGSTOP', 'SIGCONT', 'SIGINT', 'SIGTERM', 'SIGCHLD', 'SIGKILL', 'SIGHUP', 'SIGQUIT'];
const PREFIXES: Step[][] = [
  [],
  [
    { event: 'spawn', name: 'app', parent: 'outside', reaps: false },
    { event: 'spawn', name: 'child', parent: 'app', reaps: true },
    { event: 'exit', name: 'child', code: 0 },
  ],
];
const INT_AND_TERM_RESUME = 'pause resumed with SIGINT and SIGTERM both pending';

// Runs both designs in lockstep; returns why they first differ (or null).
function explain(scenario: Scenario): { step: number; why: string; sigwait: Observation; handlers: Observation } | null {
  const worlds = (['sigwait', 'handlers'] as const).map((design) => model.create({ design, pid1: scenario.pid1 }));
  try {
    for (const w of worlds) w.settle(-1);
    for (const [index, step] of scenario.steps.entries()) {
      const before = worlds[0]!.pending('pause');
      const stopped = worlds[0]!.pause().state === 'stopped';
      for (const w of worlds) {
        applyStep(w, step, index);
        w.settle(index);
      }
      const [a, b] = worlds.map((w) => w.observe(index)) as [Observation, Observation];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const resumes = step.event === 'signal' && step.target === 'pause' && step.signal === 'SIGCONT' && stopped;
      const both = before.includes('SIGINT') && before.includes('SIGTERM');
      return { step: index, why: resumes && both ? INT_AND_TERM_RESUME : `unexplained: pending ${before.join(' ')}`, sigwait: a, handlers: b };
    }
    return null;
  } finally {
    for (const w of worlds) w.dispose();
  }
}

function* scenarios(): Generator<Scenario> {
  for (const pid1 of [true, false]) {
    for (const prefix of PREFIXES) {
      for (let length = 1; length <= (prefix.length === 0 ? 5 : 4); length++) {
        const total = ALPHABET.length ** length;
        for (let code = 0; code < total; code++) {
          const steps: Step[] = [...prefix];
          let rest = code;
          for (let i = 0; i < length; i++) {
            const signal = ALPHABET[rest % ALPHABET.length]!;
            rest = Math.floor(rest / ALPHABET.length);
            steps.push({ event: 'signal', target: 'pause', signal, from: 'outside' });
          }
          yield { version: 1, pid1, steps };
        }
      }
    }
  }
}

// ---- autoreap against sigwait ------------------------------------------------

const ADOPTED: Step[] = [
  { event: 'spawn', name: 'app', parent: 'outside', reaps: false },
  { event: 'spawn', name: 'o1', parent: 'app', reaps: false },
  { event: 'spawn', name: 'o2', parent: 'app', reaps: false },
  { event: 'exit', name: 'app', code: 0 }, // o1 and o2 are now pause's (as PID 1)
];
const AUTOREAP_ALPHABET: Step[] = [
  ...(['SIGSTOP', 'SIGCONT', 'SIGINT', 'SIGTERM', 'SIGCHLD'] as const).map((signal): Step => ({ event: 'signal', target: 'pause', signal, from: 'outside' })),
  { event: 'exit', name: 'o1', code: 0 },
  { event: 'exit', name: 'o2', code: 0 },
];
const STOPPED_RELEASED = 'pause is stopped: an exited orphan is its zombie (sigwait), or already released by the kernel (autoreap)';

// The refusal those scenarios may meet: an orphan's exit once pause, as PID
// 1, has exited and the namespace's end took the orphan along.
function goneWithNamespace(world: ModelWorld, step: Step, error: unknown): boolean {
  return error instanceof PausekitError && step.event === 'exit' && world.pid1 && world.pause().state === 'exited' &&
    world.process(step.name).state === 'gone' && /: 'o\d' cannot exit: the process is not running/.test(error.message);
}

interface AutoreapDifference { scenario: Scenario; step: number; why: string; sigwait: Observation; autoreap: Observation }

// Runs sigwait and autoreap in lockstep; returns why they first differ (or null).
function explainAutoreap(scenario: Scenario): Omit<AutoreapDifference, 'scenario'> | null {
  const worlds = (['sigwait', 'autoreap'] as const).map((design) => model.create({ design, pid1: scenario.pid1 }));
  try {
    for (const w of worlds) w.settle(-1);
    for (const [index, step] of scenario.steps.entries()) {
      // An orphan that can no longer exit (the namespace ended with pause)
      // ends the scenario; both designs must agree that it cannot. Any
      // other error fails the test.
      const refused = worlds.map((w) => {
        try {
          applyStep(w, step, index);
          w.settle(index);
          return false;
        } catch (error) {
          if (goneWithNamespace(w, step, error)) return true;
          throw error;
        }
      });
      if (refused[0] !== refused[1]) return { step: index, why: `unexplained: only one design refused step ${index}`, sigwait: worlds[0]!.observe(index), autoreap: worlds[1]!.observe(index) };
      if (refused[0]) return null;
      const [a, b] = worlds.map((w) => w.observe(index)) as [Observation, Observation];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const names = new Set([...Object.keys(a.processes), ...Object.keys(b.processes)]);
      const differing = [...names].filter((n) => JSON.stringify(a.processes[n]) !== JSON.stringify(b.processes[n]));
      const released = differing.every((n) => a.processes[n]?.state === 'zombie' && a.processes[n]?.parent === 'pause' && b.processes[n]?.state === 'gone');
      const sameElse = JSON.stringify(a.pause) === JSON.stringify(b.pause) && JSON.stringify(a.stderr) === JSON.stringify(b.stderr);
      const why = a.pause.state === 'stopped' && released && sameElse ? STOPPED_RELEASED : `unexplained: ${differing.join(' ')}`;
      return { step: index, why, sigwait: a, autoreap: b };
    }
    return null;
  } finally {
    for (const w of worlds) w.dispose();
  }
}

function* autoreapScenarios(): Generator<Scenario> {
  for (const pid1 of [true, false]) {
    for (let length = 1; length <= 5; length++) {
      const total = AUTOREAP_ALPHABET.length ** length;
      for (let code = 0; code < total; code++) {
        const steps: Step[] = [...ADOPTED];
        const exited = new Set<string>();
        let rest = code;
        let valid = true;
        for (let i = 0; i < length; i++) {
          const step = AUTOREAP_ALPHABET[rest % AUTOREAP_ALPHABET.length]!;
          rest = Math.floor(rest / AUTOREAP_ALPHABET.length);
          if (step.event === 'exit') {
            if (exited.has(step.name)) valid = false; // a process exits once
            exited.add(step.name);
          }
          steps.push(step);
        }
        if (valid) yield { version: 1, pid1, steps };
      }
    }
  }
}

describe('the autoreap design against sigwait', () => {
  const found: AutoreapDifference[] = [];
  let total = 0;
  for (const scenario of autoreapScenarios()) {
    total++;
    const difference = explainAutoreap(scenario);
    if (difference !== null) found.push({ scenario, ...difference });
  }
  found.sort((a, b) => a.scenario.steps.length - b.scenario.steps.length);

  test('differ only while pause is stopped with an exited orphan (model, every scenario of pause signals and orphan exits up to 5 steps)', () => {
    console.log(`${found.length} of ${total} scenarios differ between sigwait and autoreap; the shortest:\n` +
      found.slice(0, 3).map((f) => `  ${f.scenario.pid1 ? 'pid1' : 'plain'} ${f.scenario.steps.slice(ADOPTED.length).map((s) => (s.event === 'signal' ? s.signal : `exit ${s.event === 'exit' ? s.name : ''}`)).join(' ')} (${f.why})`).join('\n'));
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter((f) => f.why !== STOPPED_RELEASED).map((f) => `${JSON.stringify(f.scenario.steps)}: ${f.why}`)).toEqual([]);
    // Not PID 1, pause adopts nothing: the designs never differ there.
    expect(found.every((f) => f.scenario.pid1)).toBe(true);
  });

  test.skipIf(noKernel)('differ on the kernel exactly as the model predicts', async () => {
    const shortest = [found[0], found.find((f) => f.scenario.steps.length === ADOPTED.length + 5)];
    for (const f of shortest) {
      expect(f).toBeDefined();
      for (const design of ['sigwait', 'autoreap'] as const) {
        const difference = firstDifference(await modelOutcome(f!.scenario, design), await kernelOutcome(f!.scenario, design));
        expect(difference, JSON.stringify(f!.scenario)).toBeNull();
      }
    }
  });
});

describe('the two designs', () => {
  const found: { scenario: Scenario; step: number; why: string; sigwait: Observation; handlers: Observation }[] = [];
  let total = 0;
  for (const scenario of scenarios()) {
    total++;
    const difference = explain(scenario);
    if (difference !== null) found.push({ scenario, ...difference });
  }
  found.sort((a, b) => a.scenario.steps.length - b.scenario.steps.length);

  test(`differ only when ${INT_AND_TERM_RESUME} (model, every pause-signal scenario up to 5 steps)`, () => {
    const unexplained = found.filter((f) => f.why !== INT_AND_TERM_RESUME);
    console.log(`${found.length} of ${total} scenarios differ between the designs; the shortest:\n` +
      found.slice(0, 5).map((f) => `  ${f.scenario.pid1 ? 'pid1' : 'plain'} ${f.scenario.steps.map((s) => (s.event === 'signal' ? s.signal : s.event)).join(' ')}: ` +
        `sigwait ${JSON.stringify(f.sigwait.stderr)} / handlers ${JSON.stringify(f.handlers.stderr)} (${f.why})`).join('\n'));
    expect(found.length).toBeGreaterThan(0);
    expect(unexplained.map((f) => `${JSON.stringify(f.scenario.steps)}: ${f.why}`)).toEqual([]);
    for (const f of found) {
      expect(f.sigwait.stderr).toEqual(['Shutting down, got signal: Interrupt']);
      expect(f.handlers.stderr).toEqual(['Shutting down, got signal: Terminated']);
    }
  });

  test.skipIf(noKernel)('differ on the kernel exactly as the model predicts', async () => {
    const shortest = [found.find((f) => f.scenario.pid1), found.find((f) => !f.scenario.pid1), found.find((f) => f.scenario.steps.length > 4)];
    for (const f of shortest) {
      expect(f).toBeDefined();
      for (const design of ['sigwait', 'handlers'] as const) {
        const difference = firstDifference(await modelOutcome(f!.scenario, design), await kernelOutcome(f!.scenario, design));
        expect(difference, JSON.stringify(f!.scenario)).toBeNull();
      }
    }
  });
});
