// The behaviours `pausekit conform` reports on, one row each, and the
// scenarios that show each one: the example scenarios (by name, below) and
// scenarios made for the behaviour, each as short as it can be. Init mode's
// rows are the contract tini set (exit status, 128+N, forwarding, reaping,
// 127/126); pause mode's are a pod sandbox's (reaping, SIGINT/SIGTERM, PID
// 1's protections). One row per signal of the scenario format's table, so
// the rows follow it when it grows.
import { PausekitError } from '../errors.ts';
import { normalizeScenario } from '../scenario/load.ts';
import { SIGNALS, type InitInput, type Scenario, type SignalName, type StepInput } from '../scenario/types.ts';
import type { Feature } from './conform-command.ts';

export type ConformMode = 'init' | 'pause';

/** One scenario a row plays. */
export interface Probe {
  /** What it does, in a few words ("app exits 3"), or the example's name. */
  name: string;
  scenario: Scenario;
  /** Also measured beyond the observations: the zombies the init leaves when it exits (with strace). */
  exitReaping?: boolean;
}

/** A behaviour of the contract: one row of the report. */
export interface Behaviour {
  /** The row's name in reports and in a file of declared differences: `exit-code`, `SIGTERM`. */
  id: string;
  title: string;
  /** The feature it needs; the row is "not offered" when the init has no template for it. */
  feature?: Feature;
  probes: Probe[];
  /** Checked by other means than scenarios (as well): the program's start, or random plans. */
  special?: 'start' | 'random';
  /** Why the scenario format cannot show it (its probes are refused), if so. */
  uncheckable?: string;
}

/** The examples, by name, and the row each belongs to; an example not listed here joins `examples`. */
export const EXAMPLE_ROWS: Readonly<Record<string, string>> = {
  'init-exec-missing': 'exec', 'init-exec-not-executable': 'exec', 'init-exec-directory': 'exec', 'init-exec-name-too-long': 'exec',
  'init-exit-code': 'exit-code', 'init-expect': 'expect', 'init-forwarding': 'forwarding', 'init-sigterm': 'forwarding',
  'init-stopped': 'forwarding', 'init-stopped-burst': 'forwarding', 'init-fault-signals': 'forwarding', 'init-realtime-queued': 'forwarding',
  'init-group': 'group', 'init-group-kill': 'group', 'init-job-control': 'group', 'init-killed-by-signal': 'killed-by-signal',
  'init-not-pid1': 'not-pid1', 'init-orphans': 'orphans', 'init-subreaper': 'subreaper', 'init-inherited-signals': 'start',
  'coalesced-sigchld': 'reaping', 'non-reaping-parent': 'reaping', 'orphan-reaping': 'reaping', 'seed-story': 'reaping',
  subreaper: 'reaping', sigint: 'shutdown', 'plain-mode': 'plain', 'plain-mode-sigterm': 'plain', 'stop-continue': 'stop',
  'stopped-int-term': 'stop', 'init-protection-inside': 'protection', 'init-protection-outside': 'protection', 'inherited-signals': 'start',
};

const APP = 'app';

/** A probe from a scenario as the format accepts it (defaults left out). */
function probe(name: string, input: { init?: InitInput; pid1?: boolean; steps: StepInput[] }, exitReaping = false): Probe {
  const scenario = normalizeScenario({ version: 1, description: name, ...input }, name);
  return exitReaping ? { name, scenario, exitReaping } : { name, scenario };
}

/** The signals of the format's table, by number: [number, name]. */
export function formatSignals(): [number, SignalName][] {
  return SIGNALS.flatMap((name, n) => (name === '' ? [] : [[n, name] as [number, SignalName]]));
}

/** The probes of one signal sent to the init, from outside and from inside; or why the format refuses them. */
function signalProbes(mode: ConformMode, signal: SignalName): { probes: Probe[]; uncheckable?: string } {
  const afterwards: StepInput[] = signal === 'SIGSTOP' ? [{ event: 'signal', target: 'pause', signal: 'SIGCONT' }] : [];
  const catches = mode === 'init' && signal !== 'SIGKILL' && signal !== 'SIGSTOP';
  const init: InitInput | undefined = mode === 'init' ? { name: APP, reaps: signal !== 'SIGCHLD' } : undefined;
  const before: StepInput[] = catches ? [{ event: 'disposition', name: APP, signal, action: 'catch' }]
    : mode === 'pause' ? [{ event: 'spawn', name: APP }] : [];
  const what = mode === 'init' && catches ? `${APP} catches ${signal}; ` : mode === 'pause' ? `${APP} runs; ` : '';
  try {
    return {
      probes: [
        probe(`${what}outside sends ${signal} to the init`, { ...(init ? { init } : {}), steps: [...before,
          { event: 'signal', target: 'pause', signal, from: 'outside' }, ...afterwards] }),
        probe(`${what}a process inside the namespace sends ${signal} to the init`, { ...(init ? { init } : {}), steps: [...before,
          { event: 'spawn', name: 'shell' }, { event: 'signal', target: 'pause', signal, from: 'shell' }, ...afterwards] }),
      ],
    };
  } catch (error) {
    if (error instanceof PausekitError) return { probes: [], uncheckable: `the scenario format refuses it (${error.message})` };
    throw error;
  }
}

/** Init mode's rows, examples aside (conform adds them by EXAMPLE_ROWS). */
export function initBehaviours(): Behaviour[] {
  const exits = (code: number) => probe(`${APP} exits ${code}`, { init: { name: APP }, steps: [{ event: 'exit', name: APP, code }] });
  const killed = (signal: SignalName) => probe(`outside sends ${signal} to ${APP} itself`, { init: { name: APP },
    steps: [{ event: 'signal', target: APP, signal }] });
  const expecting = (codes: number[], code: number) => probe(`with ${codes.join(', ')} expected, ${APP} exits ${code}`,
    { init: { name: APP, expect: codes }, steps: [{ event: 'exit', name: APP, code }] });
  return [
    { id: 'exit-code', title: "the program's exit code is the init's", probes: [0, 1, 3, 127, 255].map(exits) },
    { id: 'killed-by-signal', title: '128+N when signal N kills the program', probes: (['SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGTERM'] as const).map(killed) },
    { id: 'expect', title: 'an expected exit code becomes 0', feature: 'expect', probes: [expecting([3], 3), expecting([3], 4), expecting([143, 137], 137)] },
    // Each signal's own row first: a scenario of a later row that sends the init a signal whose row differs is left out.
    ...formatSignals().map(([n, signal]): Behaviour => ({ id: signal, title: `${signal} (${n}) to the init`, ...signalProbes('init', signal) })),
    { id: 'forwarding', title: "forwarded signals act as the program's dispositions say", probes: [] },
    {
      id: 'group', title: "forwarding to the program's process group", feature: 'group', probes: [
        probe(`${APP} and its child catch SIGUSR1; outside sends SIGUSR1 to the init`, { init: { name: APP, group: true }, steps: [
          { event: 'spawn', name: 'child', parent: APP }, { event: 'disposition', name: APP, signal: 'SIGUSR1', action: 'catch' },
          { event: 'disposition', name: 'child', signal: 'SIGUSR1', action: 'catch' }, { event: 'signal', target: 'pause', signal: 'SIGUSR1' }] }),
      ],
    },
    { id: 'subreaper', title: "a child subreaper when not PID 1: the program's orphans come back", feature: 'subreaper', probes: [] },
    { id: 'not-pid1', title: "not PID 1, no subreaper asked: the program's orphans go past the init", probes: [] },
    {
      id: 'program-exit', title: "not PID 1: the program's exit leaves its children alone", probes: [
        ...[false, true].map((group) => probe(`${APP} exits, its child still running${group ? ' (group forwarding)' : ''}`, {
          pid1: false, init: { name: APP, group }, steps: [{ event: 'spawn', name: 'child', parent: APP }, { event: 'exit', name: APP, code: 0 }] })),
      ],
    },
    {
      id: 'orphans', title: 'orphans reaped, also as the program exits', probes: [
        probe('an orphan dies while the program runs', { init: { name: APP }, steps: [{ event: 'spawn', name: 'worker', parent: APP },
          { event: 'spawn', name: 'orphan', parent: 'worker' }, { event: 'exit', name: 'worker', code: 0 }, { event: 'exit', name: 'orphan', code: 0 }] }),
        // Two zombies reach the init on one SIGCHLD while the program lives (a pause that reaps once per SIGCHLD leaks one).
        probe('two zombies are handed to the init at once', { init: { name: APP }, steps: [{ event: 'spawn', name: 'parent', parent: APP, reaps: false },
          { event: 'spawn', name: 'c1', parent: 'parent', reaps: false }, { event: 'spawn', name: 'c2', parent: 'parent', reaps: false },
          { event: 'exit', name: 'c1', code: 0 }, { event: 'exit', name: 'c2', code: 0 }, { event: 'exit', name: 'parent', code: 0 }] }),
        // The program exits with a zombie child: both reach the init together, and it must reap both before it exits.
        probe(`${APP} exits, leaving a zombie child to the init`, { init: { name: APP, reaps: false }, steps: [
          { event: 'spawn', name: 'leftover', parent: APP, reaps: false }, { event: 'exit', name: 'leftover', code: 0 },
          { event: 'exit', name: APP, code: 0 }] }, true),
      ],
    },
    { id: 'exec', title: 'a program that cannot run: 127 not found, 126 not executable (a directory, a name too long)', probes: [] },
    {
      id: 'start', title: 'the program starts with the ignored signals and the mask the init was started with', special: 'start', probes: [
        // Started with SIGCHLD ignored, the kernel reaps the init's children for it unless it takes SIGCHLD back.
        probe(`the init started with SIGCHLD ignored, ${APP} exits 3`, { init: { name: APP, inherit: { ignored: ['SIGCHLD'] } },
          steps: [{ event: 'exit', name: APP, code: 3 }] }),
      ],
    },
    { id: 'examples', title: 'the other example scenarios', probes: [] },
    { id: 'random', title: 'random plans, combining what passed alone', probes: [], special: 'random' },
  ];
}

/** Pause mode's rows (a pod sandbox's pause, no program), examples aside. */
export function pauseBehaviours(): Behaviour[] {
  const shutdown = (signal: SignalName, from: string) => probe(`${from === 'outside' ? 'outside' : 'a process inside'} sends ${signal} to pause`, {
    steps: [{ event: 'spawn', name: APP }, ...(from === 'outside' ? [] : [{ event: 'spawn' as const, name: from }]),
      { event: 'signal', target: 'pause', signal, from }] });
  const others = formatSignals().filter(([, s]) => s !== 'SIGINT' && s !== 'SIGTERM').map(([, s]) => signalProbes('pause', s));
  return [
    {
      id: 'reaping', title: 'orphans adopted and reaped', probes: [
        probe('an orphan that is a zombie already is handed to pause', { steps: [{ event: 'spawn', name: 'parent', reaps: false },
          { event: 'spawn', name: 'child', parent: 'parent' }, { event: 'exit', name: 'child', code: 0 }, { event: 'exit', name: 'parent', code: 0 }] }),
      ],
    },
    { id: 'shutdown', title: 'SIGINT and SIGTERM end pause with exit 0', probes: [shutdown('SIGTERM', 'outside'), shutdown('SIGINT', 'outside'),
      shutdown('SIGTERM', 'shell'), shutdown('SIGINT', 'shell')] },
    { id: 'protection', title: "PID 1's protections: every other signal, from outside and inside", probes: others.flatMap((o) => o.probes) },
    { id: 'stop', title: 'stopped and continued', probes: [] },
    { id: 'plain', title: 'as a plain process', probes: [] },
    { id: 'start', title: 'started with signals ignored and blocked (as nohup or a shell may leave them): still reaps and shuts down', probes: [] },
    { id: 'examples', title: 'the other example scenarios', probes: [] },
    { id: 'random', title: 'random plans, combining what passed alone', probes: [], special: 'random' },
  ];
}

/** Every row of a mode, with the examples of that mode added to theirs. */
export function behaviours(mode: ConformMode, examples: readonly { name: string; scenario: Scenario }[]): Behaviour[] {
  const rows = mode === 'init' ? initBehaviours() : pauseBehaviours();
  for (const example of examples) {
    if ((example.scenario.init !== undefined) !== (mode === 'init')) continue;
    const id = EXAMPLE_ROWS[example.name];
    const row = rows.find((r) => r.id === id) ?? rows.find((r) => r.id === 'examples')!;
    row.probes.push({ name: `example ${example.name}`, scenario: example.scenario });
  }
  return rows.filter((r) => r.id !== 'examples' || r.probes.length > 0);
}
