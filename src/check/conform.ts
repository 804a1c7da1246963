// `pausekit conform`: any init (or any sandbox pause) held to the contract
// the model states. Each behaviour's scenarios (src/check/conform-rows.ts)
// run on the kernel with the init in pause's place, and each step's
// observation is compared with the model's prediction for pausekit's pause,
// in any of its three designs (each is a correct pause; where they differ,
// as in what a stopped pause does with SIGTERM, either answer conforms).
// Then random plans, combining only what passed alone, run the same way, and
// fast-check shrinks the first that differs. One row per behaviour: passes,
// differs (with the shortest scenario that shows it), or not offered.
//
// Aside, always: stderr (each init words its own messages). Aside in random
// plans: the init's exit code when a row about exit codes differs, and the
// signals, features and modes whose own rows differ, so that one known
// difference does not hide every other.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import fc from 'fast-check';
import { runKernel, type KernelOptions } from '../engines/kernel/engine.ts';
import { runModel } from '../engines/model/engine.ts';
import { loadModel, type ModelModule } from '../engines/model/wasm.ts';
import { PausekitError, checkArgument, isRecord, printable } from '../errors.ts';
import { examples as catalog } from '../scenario/catalog.ts';
import { loadScenario, scenarioToJson } from '../scenario/load.ts';
import { describeStep } from '../scenario/report.ts';
import { DESIGNS, type PauseObservation, type ProcessObservation, type Scenario, type SignalName } from '../scenario/types.ts';
import { planArbitrary, playPlan, propertySeed, type Plan } from './arbitraries.ts';
import { commandArgv, commandOptions, offers, pauseCommand, shellWord, unoffered, type InitCommand } from './conform-command.ts';
import { exitReapingUnavailable, startDifference, zombiesLeftAtExit } from './conform-probes.ts';
import { behaviours, type Behaviour, type ConformMode, type Probe } from './conform-rows.ts';
import { outcome, type Outcome } from './diff.ts';

/** Random plans `conform` plays unless told. */
export const DEFAULT_RUNS = 100;

export interface ConformOptions {
  /** Init mode: the init, as initCommand() makes it from a command line and templates. */
  init?: InitCommand;
  /** Pause mode: a sandbox pause's command line (its path, or e.g. `catatonit -P`). */
  pause?: string;
  /** Random plans after the behaviours' own scenarios (default DEFAULT_RUNS; 0: none). */
  runs?: number;
  /** The seed of the random plans (default: a fresh one, in the report). */
  seed?: number;
  /** Differences the user declares, by row id, each with its reason (readDeclared()). */
  declared?: Record<string, string>;
  /** A folder to save each difference's scenario in (ROW.json); none: not saved. */
  out?: string;
  /** Told of each row once it is done. */
  onRow?: (row: RowResult) => void;
}

/** A difference a row shows: the shortest scenario, or (the start) a command. */
export interface Difference {
  /** The probe's name, or "random plan". */
  probe: string;
  /** What differs, as the first differing step says it. */
  text: string;
  scenario?: Scenario;
  /** Where the scenario was saved, and the command that replays it. */
  file?: string;
  replay?: string;
  /** Why the replay does not show the difference, when it cannot. */
  unseenByRun?: string;
}

export interface RowResult {
  id: string;
  title: string;
  result: 'passes' | 'differs' | 'not offered' | 'not checked';
  /** How many scenarios (or plans) it played. */
  played: number;
  difference?: Difference;
  /** The user's reason, when the difference is declared. */
  declared?: string;
  /** Why not offered or not checked, or what was left out. */
  note?: string;
}

export interface ConformReport {
  mode: ConformMode;
  /** The init's options as a command line gives them, or the pause's path. */
  subject: string;
  seed: number;
  runs: number;
  rows: RowResult[];
  /** Rows that differ and are not declared. */
  undeclared: string[];
  /** Declared rows that no longer differ. */
  stale: string[];
  /** What the comparison leaves aside, in words. */
  aside: string[];
  /** Nothing differs but what is declared, and every declaration still shows. */
  ok: boolean;
  seconds: number;
}

/** The subject on the kernel: how each scenario runs with the init (or pause) in pause's place. */
interface Subject {
  mode: ConformMode;
  init?: InitCommand;
  /** Pause mode: the command line as given. */
  pause?: string;
  options: KernelOptions;
  /** Removes what running it needed (pause mode's script for a command with arguments). */
  dispose: () => void;
}

/** What to leave out of a comparison (stderr always is). */
interface Aside {
  exitCode: boolean;
}

function pauseWords(p: PauseObservation | undefined, aside: Aside): string {
  if (p === undefined) return '(none)';
  if (p.state === 'exited') return aside.exitCode ? 'exited' : `exited ${p.code}`;
  return p.state === 'killed' ? `killed by ${p.signal}` : p.state;
}

function processWords(p: ProcessObservation | undefined): string {
  if (p === undefined) return '(not there)';
  const caught = p.caught === undefined ? '' : `, caught ${p.caught.length === 0 ? 'nothing' : p.caught.join(' ')}`;
  return `${p.state}${p.parent === null ? '' : `, parent ${p.parent}`}${caught}`;
}

/** The first step where two runs differ (stderr aside), in words; null when they agree. */
function firstDifference(scenario: Scenario, model: Outcome, seen: Outcome, aside: Aside): { at: number; text: string } | null {
  if ('error' in model || 'error' in seen) {
    const words = (o: Outcome) => ('error' in o ? o.error.message : 'settles after every step');
    const same = 'error' in model && 'error' in seen && model.error.details.kind === seen.error.details.kind && model.error.details.step === seen.error.details.step;
    const at = (o: Outcome) => ('error' in o ? Number(o.error.details.step ?? -1) + 1 : Infinity);
    return same ? null : { at: Math.min(at(model), at(seen)), text: `model: ${words(model)} | kernel: ${words(seen)}` };
  }
  const a = model.observations;
  const b = seen.observations;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const lines: string[] = [];
    const [pa, pb] = [pauseWords(a[i]?.pause, aside), pauseWords(b[i]?.pause, aside)];
    if (pa !== pb) lines.push(`${scenario.init === undefined ? 'pause' : 'the init'}: model ${pa} | kernel ${pb}`);
    for (const name of new Set([...Object.keys(a[i]?.processes ?? {}), ...Object.keys(b[i]?.processes ?? {})])) {
      const [x, y] = [processWords(a[i]?.processes[name]), processWords(b[i]?.processes[name])];
      if (x !== y) lines.push(`${name}: model ${x} | kernel ${y}`);
    }
    if (lines.length > 0) {
      const step = scenario.steps[i - 1];
      return { at: i, text: `${step === undefined ? 'start' : `step ${i - 1} (${describeStep(step)})`}: ${lines.join('; ')}` };
    }
  }
  return null;
}

/** The model's predictions for a scenario, one per design (they differ in a few places). */
async function predictions(scenario: Scenario): Promise<Outcome[]> {
  return Promise.all(DESIGNS.map((design) => outcome(() => runModel(scenario, { design }))));
}

/** Whether a probe's scenario needs a feature the init does not offer. */
function playable(subject: Subject, scenario: Scenario): boolean {
  return subject.init === undefined || scenario.init === undefined || unoffered(subject.init, scenario.init) === null;
}

/**
 * How the subject differs from every design's prediction on one scenario,
 * or null when it matches one; `at` is the first differing observation's index.
 */
async function scenarioDifference(subject: Subject, scenario: Scenario, aside: Aside): Promise<{ at: number; text: string } | null> {
  let seen: Outcome;
  try {
    seen = await outcome(() => runKernel(scenario, subject.options));
  } catch (error) {
    if (error instanceof PausekitError) {
      throw new PausekitError(`conform: ${scenario.description ?? 'a scenario'}: ${error.message}`, { ...error.details, scenario });
    }
    throw error;
  }
  const found: { at: number; text: string }[] = [];
  for (const model of await predictions(scenario)) {
    const difference = firstDifference(scenario, model, seen, aside);
    if (difference === null) return null;
    found.push(difference);
  }
  // The design whose prediction held longest says best where the init parts from the contract.
  return found.reduce((best, d) => (d.at > best.at ? d : best));
}

/** Said of a difference that only strace sees: a replay shows the same observations. */
const UNSEEN_BY_RUN = 'pausekit run shows the same observations: what the init leaves, the namespace\'s end or the runner reaps';

/** A probe's difference, observations first, then (for its kind) the zombies left at the init's exit. */
async function probeDifference(subject: Subject, probe: Probe): Promise<{ text: string; byStrace: boolean } | null> {
  const difference = await scenarioDifference(subject, probe.scenario, { exitCode: false });
  if (difference !== null) return { text: difference.text, byStrace: false };
  if (!probe.exitReaping || exitReapingUnavailable() !== null) return null;
  const left = await zombiesLeftAtExit(probe.scenario, subject.options);
  if (left === null) return { text: 'the init did not exit when its program did (seen with strace)', byStrace: true };
  return left.length === 0 ? null : {
    text: `the init exited leaving ${left.join(', ')} a zombie, unreaped (seen with strace: its wait calls before exit_group); the model's pause reaps every zombie before it exits`,
    byStrace: true,
  };
}

/** What the model's pause does with a signal a probe sends it from outside, in words, for the signal's row. */
async function signalFate(signal: string, probe: Probe): Promise<string> {
  const observations = await runModel(probe.scenario, { design: 'sigwait' });
  if (observations.some((o) => Object.values(o.processes).some((p) => p.caught?.includes(signal as SignalName)))) return 'forwarded';
  if (observations.some((o) => o.pause.state === 'stopped')) return 'stops the init until SIGCONT';
  const last = observations.at(-1)!.pause;
  return last.state === 'killed' ? 'kills the init' : last.state === 'exited' ? `ends the init (exit ${last.code})` : 'not forwarded';
}

/** Whether a scenario sends the init (or pause) one of the signals given. */
function signalsInit(scenario: Scenario, signals: Set<string>): boolean {
  return scenario.steps.some((s) => s.event === 'signal' && s.target === 'pause' && signals.has(s.signal));
}

/**
 * One row of directed scenarios: passes, differs with its shortest differing
 * scenario, or not offered. A scenario that sends the init a signal whose own
 * row (played before) did not pass is left out: that row says the difference.
 */
async function playRow(subject: Subject, row: Behaviour, before: RowResult[]): Promise<RowResult> {
  const base = { id: row.id, title: row.title, played: 0 };
  if (row.feature !== undefined && subject.init !== undefined && !offers(subject.init, row.feature)) {
    return { ...base, result: 'not offered', note: `no template for ${row.feature} (--${row.feature === 'group' ? 'group-flag or --single-flag' : `${row.feature}-flag`})` };
  }
  if (row.uncheckable !== undefined) return { ...base, result: 'not checked', note: row.uncheckable };
  if (row.special === 'start' && subject.init !== undefined) {
    const start = startRow(subject, base);
    if (start.result !== 'passes') return start;
    base.played = start.played;
  }
  const differing = new Set(before.filter((r) => /^SIG/.test(r.id) && r.result !== 'passes').map((r) => r.id));
  const offered = row.probes.filter((p) => playable(subject, p.scenario));
  const probes = /^SIG/.test(row.id) ? offered : offered.filter((p) => !signalsInit(p.scenario, differing));
  if (probes.length === 0 && base.played > 0) return { ...base, result: 'passes' };
  if (probes.length === 0) {
    const why = offered.length > 0 ? 'every scenario of it sends the init a signal whose own row differs' : 'every scenario of it needs a feature the init does not offer';
    return { ...base, result: 'not offered', note: why };
  }
  if (/^SIG/.test(row.id)) base.title = `${row.title}: ${await signalFate(row.id, probes[0]!)}`;
  let shortest: Difference | undefined;
  const signals: SignalName[] = [];
  for (const probe of probes) {
    const found = await probeDifference(subject, probe);
    if (found === null) continue;
    signals.push(...probe.scenario.steps.flatMap((s) => (s.event === 'signal' && s.target === 'pause' ? [s.signal] : [])));
    if (shortest === undefined || probe.scenario.steps.length < shortest.scenario!.steps.length) {
      shortest = { probe: probe.name, text: found.text, scenario: probe.scenario, ...(found.byStrace ? { unseenByRun: UNSEEN_BY_RUN } : {}) };
    }
  }
  const skipped = probes.some((p) => p.exitReaping) ? exitReapingUnavailable() : null;
  const note = [
    row.probes.length > offered.length ? `${row.probes.length - offered.length} scenario(s) need a feature not offered` : '',
    offered.length > probes.length ? `${offered.length - probes.length} scenario(s) left out: they send the init a signal whose own row differs` : '',
    skipped ?? '',
  ].filter((n) => n !== '').join('; ');
  const result: RowResult = { ...base, played: base.played + probes.length, result: shortest === undefined ? 'passes' : 'differs', ...(shortest ? { difference: shortest } : {}), ...(note ? { note } : {}) };
  DIFFERING_SIGNALS.set(result, signals);
  return result;
}

/** The start row: the program's signal mask and ignored signals under the init. */
function startRow(subject: Subject, base: { id: string; title: string; played: number }): RowResult {
  const init = { name: 'app', exec: 'ok' as const, group: false, subreaper: false, expect: [], reaps: true };
  const { command, difference } = startDifference((program) => commandArgv(subject.init!, init, program));
  if (difference === null) return { ...base, played: 1, result: 'passes' };
  return { ...base, played: 1, result: 'differs', difference: { probe: 'cat /proc/self/status as the program', text: difference, replay: command.map(shellWord).join(' ') } };
}

/** The signals sent to the init in the scenarios that differed, by row: random plans leave them out. */
const DIFFERING_SIGNALS = new WeakMap<RowResult, SignalName[]>();

/** What random plans leave out, from the rows that did not pass. */
function randomLimits(subject: Subject, rows: RowResult[]): { signals: Set<SignalName>; aside: Aside; plain: boolean; left: string[] } {
  const failed = (id: string) => rows.find((r) => r.id === id)?.result !== 'passes';
  const signals = new Set<SignalName>(rows.flatMap((r) => [...(DIFFERING_SIGNALS.get(r) ?? []), ...(/^SIG/.test(r.id) && r.result !== 'passes' ? [r.id as SignalName] : [])]));
  const exitCode = subject.mode === 'init' && ['exit-code', 'killed-by-signal'].some(failed);
  const plain = subject.mode === 'init' ? !failed('not-pid1') && !failed('program-exit') : !failed('plain');
  const left = [
    signals.size > 0 ? `no ${[...signals].join(', ')} to the init` : '',
    exitCode ? "the init's exit code aside" : '',
    plain ? '' : 'PID 1 only',
    ...(subject.mode === 'init' ? (['group', 'subreaper', 'expect'] as const).filter(failed).map((f) => `no ${f}`) : []),
    failed('start') ? 'started with no signal ignored or blocked' : '',
  ].filter((l) => l !== '');
  return { signals, aside: { exitCode }, plain, left };
}

/** Random plans in the mode, with what did not pass alone left out. */
function randomPlans(subject: Subject, rows: RowResult[], limits: ReturnType<typeof randomLimits>): fc.Arbitrary<Plan> {
  const allowed = (id: string) => rows.find((r) => r.id === id)?.result === 'passes';
  return planArbitrary({ maxOps: 10, init: subject.mode === 'init' ? 'always' : 'never' }).map((plan): Plan => ({
    pid1: limits.plain ? plan.pid1 : true,
    ops: plan.ops.filter((op) => !(op.kind === 'signal' && limits.signals.has(op.signal))),
    ...(plan.inherit === undefined || !allowed('start') ? {} : { inherit: plan.inherit }),
    ...(plan.init === undefined ? {} : {
      init: { ...plan.init, exec: 'ok', group: allowed('group') && plan.init.group, subreaper: allowed('subreaper') && plan.init.subreaper,
        expect: allowed('expect') ? plan.init.expect : [] },
    }),
  }));
}

/** The random row: plans on the model and the kernel, the first difference shrunk by fast-check. */
async function randomRow(subject: Subject, model: ModelModule, rows: RowResult[], row: Behaviour, runs: number, seed: number): Promise<RowResult> {
  const base = { id: row.id, title: row.title };
  if (runs === 0) return { ...base, played: 0, result: 'not checked', note: 'no random plans asked for (--runs 0)' };
  const limits = randomLimits(subject, rows);
  const scenarioOf = (plan: Plan) => playPlan(model, plan, { design: 'sigwait' }).scenario;
  const details = await fc.check(fc.asyncProperty(randomPlans(subject, rows, limits), async (plan) =>
    (await scenarioDifference(subject, scenarioOf(plan), limits.aside)) === null), { seed, numRuns: runs });
  const note = limits.left.length > 0 ? `left out: ${limits.left.join('; ')}` : undefined;
  const result = { ...base, played: details.numRuns, ...(note ? { note } : {}) };
  if (!details.failed) return { ...result, result: 'passes' };
  if (details.counterexample === null) throw details.errorInstance;
  let scenario = scenarioOf(details.counterexample[0]);
  let found = await scenarioDifference(subject, scenario, limits.aside);
  // The steps after the first that differs show nothing more: without them, if it still differs.
  const cut = found === null ? scenario : { ...scenario, steps: scenario.steps.slice(0, Math.max(found.at, 1)) };
  const shorter = cut.steps.length < scenario.steps.length ? await scenarioDifference(subject, cut, limits.aside) : null;
  if (shorter !== null) [scenario, found] = [cut, shorter];
  const text = found?.text ?? 'the shrunk plan passed when run again (the run before it failed)';
  return { ...result, result: 'differs', difference: { probe: `random plan (seed ${seed}, shrunk ${details.numShrinks} times)`, text, scenario } };
}

/** Saves each difference's scenario as OUT/ROW.json, whole or not at all, and sets its replay command. */
function save(out: string, subject: Subject, rows: RowResult[]): void {
  mkdirSync(out, { recursive: true });
  for (const row of rows) {
    const d = row.difference;
    if (d?.scenario === undefined) continue;
    const file = join(out, `${row.id}.json`);
    const description = printable(`conform ${row.id}: ${d.text}`, 300);
    writeFileSync(`${file}.tmp`, scenarioToJson({ ...d.scenario, description }));
    renameSync(`${file}.tmp`, file);
    d.file = file;
    const here = relative(process.cwd(), file);
    d.replay = `pausekit run ${shellWord(here.startsWith('..') || isAbsolute(here) ? file : here)} ${subject.init !== undefined ? commandOptions(subject.init) : `--pause ${shellWord(subject.pause!)}`}`;
  }
}

/** Reads the options, refuses what does not fit, before anything runs. */
function modeOf(options: ConformOptions): ConformMode {
  checkArgument(isRecord(options as unknown), 'conform(options)', '{ init } or { pause }', options);
  if ((options.init === undefined) === (options.pause === undefined)) {
    throw new PausekitError('conform: give an init (--init) or a pause (--pause), one of them', { field: 'init' });
  }
  return options.init !== undefined ? 'init' : 'pause';
}

/** How each scenario runs on the kernel with the init, or the pause, the options name. */
function subjectOf(options: ConformOptions): Subject {
  if (options.init !== undefined) {
    const init = options.init;
    return { mode: 'init', init, options: { design: 'sigwait', initCommand: (config, program) => commandArgv(init, config, program) }, dispose: () => {} };
  }
  checkArgument(typeof options.pause === 'string', 'conform(options): pause', "a pause's command line", options.pause);
  const pause = pauseCommand(options.pause);
  return { mode: 'pause', pause: options.pause, options: { design: 'sigwait', binary: pause.path }, dispose: pause.dispose };
}

/** The rows of a mode, with the examples pausekit ships. */
export function conformBehaviours(mode: ConformMode): Behaviour[] {
  checkArgument(mode === 'init' || mode === 'pause', 'conformBehaviours(mode): mode', "'init' or 'pause'", mode);
  return behaviours(mode, catalog().map((e) => ({ name: e.name, scenario: loadScenario(e.file) })));
}

/** Holds an init (or a pause) to the model: every behaviour's row, then random plans. */
export async function conform(options: ConformOptions): Promise<ConformReport> {
  const started = performance.now();
  const mode = modeOf(options);
  const runs = options.runs ?? DEFAULT_RUNS;
  checkArgument(Number.isSafeInteger(runs) && runs >= 0, 'conform(options): runs', 'a whole number of random plans, 0 or more', runs);
  const seed = options.seed ?? propertySeed();
  const all = conformBehaviours(mode);
  const declared = options.declared ?? {};
  const unknown = Object.keys(declared).filter((id) => !all.some((row) => row.id === id));
  if (unknown.length > 0) {
    throw new PausekitError(`conform: declared difference '${printable(unknown[0]!, 40)}' is not a behaviour of ${mode} mode (they are: ${all.map((r) => r.id).join(', ')})`,
      { field: 'declared', value: unknown[0] });
  }
  const model = await loadModel();
  const subject = subjectOf(options);
  const rows: RowResult[] = [];
  try {
    for (const row of all) {
      const result = row.special === 'random' ? await randomRow(subject, model, rows, row, runs, seed) : await playRow(subject, row, rows);
      if (result.result === 'differs' && declared[row.id] !== undefined) result.declared = declared[row.id];
      rows.push(result);
      options.onRow?.(result);
    }
  } finally {
    subject.dispose();
  }
  if (options.out !== undefined && rows.some((r) => r.difference?.scenario !== undefined)) save(options.out, subject, rows);
  const undeclared = rows.filter((r) => r.result === 'differs' && r.declared === undefined).map((r) => r.id);
  const stale = Object.keys(declared).filter((id) => rows.find((r) => r.id === id)?.result !== 'differs');
  return {
    mode: subject.mode,
    subject: subject.init !== undefined ? commandOptions(subject.init) : `--pause ${shellWord(subject.pause!)}`,
    seed, runs, rows, undeclared, stale,
    aside: ["stderr: each init words its own messages", "random plans: what did not pass alone (each such row says what it left out)"],
    ok: undeclared.length === 0 && stale.length === 0,
    seconds: (performance.now() - started) / 1000,
  };
}
