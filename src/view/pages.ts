// The pages pausekit writes for a run, for kernel against model, and for an
// explored trace to a broken invariant (`--html FILE` on run, diff and
// explore): each a whole HTML document, as a string.
import { basename } from 'node:path';
import { checkArgument, isRecord } from '../errors.ts';
import { compare, differences, outcome, type Outcome } from '../check/diff.ts';
import type { Exploration } from '../check/explore.ts';
import { kernelEngine, modelEngine } from '../engines/engine.ts';
import { loadModel, type ModelModule, type Mutant, type WasiRuntime } from '../engines/model/wasm.ts';
import type { Design, Observation, Scenario } from '../scenario/types.ts';
import { counted } from '../scenario/report.ts';
import type { Story } from './frames.ts';
import { document, legend, observationTable, frameWords, stepSections, storyFigure, verdict, view } from './page.ts';
import { frameTitle, modelStory, observedStory, traceStory } from './replay.ts';
import { blockHeights, escapeHtml } from './timeline.ts';

export interface RunPageOptions {
  engine: 'kernel' | 'model';
  /** The design run (undefined: not known, as for a run handed to a check). */
  design?: Design;
  /** The model's catalogued bug the observations were made with. */
  mutant?: Mutant;
  wasi?: WasiRuntime;
  /** What the scenario is called in the heading (its file; default: "a scenario"). */
  name?: string;
  /** Who ran as the init on the kernel (init mode), if not pause. */
  init?: string;
  /** What went wrong, in words, shown above the picture (a failed check). */
  why?: string[];
  /** The observation (by index) to highlight, and why. */
  flag?: { index: number; text: string };
}

/** Which pause ran, for a heading. */
function designText(design: Design | undefined, mutant?: Mutant): string {
  return `${design === undefined ? 'design not known' : `${design} design`}${mutant === undefined ? '' : `, mutant ${mutant}`}`;
}

/**
 * The story of a run on the model, asked for the facts only it knows;
 * undefined when replaying gives other observations than these (they were
 * not made with this design, mutant or scenario).
 */
function modelStoryOf(model: ModelModule, scenario: Scenario, observations: readonly Observation[], options: { design: Design; mutant?: Mutant }): Story | undefined {
  try {
    const replay = modelStory(model, scenario, options);
    return JSON.stringify(replay.observations) === JSON.stringify(observations) ? replay.story : undefined;
  } catch {
    // The model refuses a step these observations went past: not its run.
    return undefined;
  }
}

/**
 * The page of one run, drawn with a loaded model for a run on the model
 * (without one, from the observations alone): its timeline, a panel for
 * the step in focus, the legend and every step's table.
 */
export function renderRun(model: ModelModule | undefined, scenario: Scenario, observations: readonly Observation[], options: RunPageOptions): string {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'renderRun(model, scenario, observations, options): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  checkArgument(Array.isArray(observations), 'renderRun(model, scenario, observations, options): observations', "an engine's observations (runModel, runKernel)", observations);
  checkArgument(isRecord(options), 'renderRun(model, scenario, observations, options): options', "an object such as { engine: 'model', design: 'sigwait' }", options);
  const who = options.init !== undefined && options.init !== 'pause' ? options.init : designText(options.design, options.mutant);
  const heading = `${options.name ?? 'a scenario'} on the ${options.engine} (${who})`;
  const design = options.design;
  const replayed = options.engine === 'model' && model !== undefined && design !== undefined
    ? modelStoryOf(model, scenario, observations, { design, mutant: options.mutant }) : undefined;
  const story = replayed ?? observedStory(scenario, observations);
  if (options.flag !== undefined && story.frames[options.flag.index] !== undefined) story.frames[options.flag.index]!.flag = options.flag.text;
  const notices = [
    ...(options.why === undefined ? [] : [verdict(options.why)]),
    ...(options.engine === 'model' && replayed === undefined
      ? [verdict([model === undefined || design === undefined
        ? 'Drawn from the observations alone: the marks only the model can tell are left out.'
        : 'Played again on the model, this scenario does not give these observations: the marks only the model can tell are left out.'])]
      : []),
  ];
  const steps = scenario.steps.length;
  return document({
    title: `pausekit: ${heading}`,
    heading,
    sub: [...(scenario.description ? [scenario.description] : []), `${counted(steps, 'step')} and the start; ${counted(story.lanes.length, 'lane')}.`],
    body: [
      ...notices,
      view([storyFigure(story, { id: 'run', caption: `Timeline on the ${options.engine}`, prefix: '' })]),
      legend([story.source]),
      `<section><h2>Every step</h2>${stepSections(story, '')}</section>`,
    ],
  });
}

/** The page of one run (`pausekit run --html`); a run on the model is played again on it for its marks. */
export async function runPage(scenario: Scenario, observations: readonly Observation[], options: RunPageOptions): Promise<string> {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'runPage(scenario, observations, options): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  checkArgument(Array.isArray(observations), 'runPage(scenario, observations, options): observations', "an engine's observations (runModel, runKernel)", observations);
  checkArgument(isRecord(options), 'runPage(scenario, observations, options): options', "an object such as { engine: 'model', design: 'sigwait' }", options);
  const model = options.engine === 'model' ? await loadModel({ wasi: options.wasi }) : undefined;
  return renderRun(model, scenario, observations, options);
}

/** One design's comparison: what each engine made of the scenario, and the differences in words. */
export interface DiffRun {
  design: Design;
  model: Outcome;
  kernel: Outcome;
  /** compare()'s report: empty when they agree. */
  lines: string[];
  /** The native pause the kernel ran, if not the design's own build. */
  binary?: string;
}

/** Runs one design on both engines, as diffDesign does, keeping what each saw. */
export async function diffRun(scenario: Scenario, design: Design, options: { binary?: string; wasi?: WasiRuntime } = {}): Promise<DiffRun> {
  const kernel = await outcome(() => kernelEngine({ binary: options.binary }).run(scenario, design));
  const model = await outcome(() => modelEngine({ wasi: options.wasi }).run(scenario, design));
  return { design, model, kernel, lines: compare(scenario, model, kernel), binary: options.binary };
}

/** The first step (observation index) at which two runs differ, or -1. */
function firstDifferent(model: readonly Observation[], kernel: readonly Observation[]): number {
  const count = Math.max(model.length, kernel.length);
  for (let i = 0; i < count; i++) if (differences(model[i], kernel[i]).length > 0) return i;
  return -1;
}

/** An engine's observations, or none where it stopped with an error. */
function observationsOf(o: Outcome): Observation[] {
  return 'observations' in o ? o.observations : [];
}

/** compare()'s report cut to its first step, and how many more steps differ (each is marked in its table). */
function firstLines(lines: string[]): string[] {
  const titles = lines.map((l, i) => (l.startsWith('  ') && !l.startsWith('    ') ? i : -1)).filter((i) => i >= 0);
  if (titles.length <= 1) return lines.map((l) => l.trim());
  const more = titles.length - 1;
  return [...lines.slice(0, titles[1]).map((l) => l.trim()), `... and ${more} more step${more === 1 ? '' : 's'} differ: see the cells marked in their tables.`];
}

type Side = { label: string; o: Observation; before: Observation | undefined };

/** One step of a diff page: one table of both engines (a cell that differs says what each saw), and their words. */
function diffStep(scenario: Scenario, i: number, seen: { model: Observation[]; kernel: Observation[] }, stories: { model: Story; kernel: Story }, id: string): string {
  const sides = (['model', 'kernel'] as const).flatMap((label): Side[] => (seen[label][i] === undefined ? [] : [{ label, o: seen[label][i]!, before: seen[label][i - 1] }]));
  const missing = sides.length < 2 ? `<p>${sides.length === 0 ? 'neither engine' : sides[0]!.label === 'model' ? 'the kernel' : 'the model'} has no observation here (it stopped before)</p>` : '';
  // The words of each engine's frame, once where they say the same.
  const words = [stories.model.frames[i], stories.kernel.frames[i]].map((f) => (f === undefined ? '' : frameWords(f)));
  const said = words[0] === words[1] ? words[0] : `${words[0] === '' ? '' : `<p>model:</p>${words[0]}`}${words[1] === '' ? '' : `<p>kernel:</p>${words[1]}`}`;
  const flag = stories.model.frames[i]?.flag ?? stories.kernel.frames[i]?.flag;
  return `<section class="step${flag === undefined ? '' : ' flag'}" id="${id}" tabindex="0"><h3>${escapeHtml(frameTitle(scenario, i - 1))}</h3>` +
    `${flag === undefined ? '' : `<p><strong>${escapeHtml(flag)}</strong></p>`}` +
    `${sides.length > 0 ? observationTable(sides, sides.length === 2 ? 'model and kernel' : sides[0]!.label) : ''}${missing}${said}</section>`;
}

/** One design's section of a diff page: the verdict, the two timelines side by side, the steps with both tables. */
function diffSection(loaded: ModelModule, scenario: Scenario, run: DiffRun): { html: string; sources: Story['source'][] } {
  const model = observationsOf(run.model);
  const kernel = observationsOf(run.kernel);
  const stories = { model: modelStoryOf(loaded, scenario, model, { design: run.design }) ?? observedStory(scenario, model), kernel: observedStory(scenario, kernel) };
  const first = firstDifferent(model, kernel);
  const where = first < 0 ? '' : frameTitle(scenario, first - 1);
  if (first >= 0) {
    const words = `first difference: ${differences(model[first], kernel[first]).map((l) => l.trim()).join('; ')}`;
    for (const s of [stories.model, stories.kernel]) if (s.frames[first] !== undefined) s.frames[first]!.flag = words;
  }
  const errors = (['model', 'kernel'] as const).flatMap((e) => ('error' in run[e] ? [`${e}: ${(run[e] as { error: Error }).error.message}`] : []));
  const summary = run.lines.length === 0
    ? verdict([`${run.design}: model and kernel agree at every step (${counted(scenario.steps.length, 'step')} and the start).`], true)
    : verdict([`${run.design}: model and kernel differ${first >= 0 ? `, first at ${where}` : ''}.`, ...errors, ...firstLines(run.lines)]);
  const heights = [blockHeights(stories.model, true), blockHeights(stories.kernel, true)];
  const minHeights = heights[0]!.map((h, i) => Math.max(h, heights[1]![i] ?? 0));
  const prefix = `${run.design}-`;
  // The build's file name, not its path: a page says what ran, not where a machine kept it.
  const kernelWho = run.binary === undefined ? 'kernel' : `kernel, ${basename(run.binary)}`;
  const figures = view([
    storyFigure(stories.model, { id: `${prefix}model`, caption: `model (${run.design})`, prefix, minHeights, narrow: true }),
    storyFigure(stories.kernel, { id: `${prefix}kernel`, caption: `${kernelWho} (${run.design})`, prefix, minHeights, narrow: true }),
  ]);
  const count = Math.max(model.length, kernel.length);
  const steps = [...Array(count).keys()].map((i) => diffStep(scenario, i, { model, kernel }, stories, `${prefix}s${i}`));
  return {
    html: `<section><h2>The ${escapeHtml(run.design)} design</h2>${summary}${figures}<h2>Every step, model and kernel</h2>${steps.join('\n')}</section>`,
    sources: [stories.model.source, stories.kernel.source],
  };
}

/** The page of `pausekit diff`: for each design, the model's and the kernel's timelines side by side. */
export async function diffPage(scenario: Scenario, runs: readonly DiffRun[], options: { name?: string; wasi?: WasiRuntime } = {}): Promise<string> {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'diffPage(scenario, runs, options): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  checkArgument(Array.isArray(runs), 'diffPage(scenario, runs, options): runs', 'the designs\' comparisons (diffRun)', runs);
  const model = await loadModel({ wasi: options.wasi });
  const sections = runs.map((run) => diffSection(model, scenario, run));
  const differ = runs.filter((r) => r.lines.length > 0).map((r) => r.design);
  const heading = `${options.name ?? 'a scenario'}: model against kernel`;
  return document({
    title: `pausekit: ${heading}`,
    heading,
    sub: [...(scenario.description ? [scenario.description] : []),
      differ.length === 0 ? `They agree for ${runs.map((r) => r.design).join(', ')}.` : `They differ for ${differ.join(', ')}.`],
    body: [...sections.map((s) => s.html), legend([...new Set(sections.flatMap((s) => s.sources))])],
  });
}

/**
 * The page of `pausekit explore`: the shortest trace to the broken
 * invariant, one row per action, the invariant named where it broke; with
 * none broken, the trace of the most frequent outcome.
 */
export async function explorePage(scenario: Scenario, result: Exploration, options: { design: Design; mutant?: Mutant; wasi?: WasiRuntime; name?: string }): Promise<string> {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'explorePage(scenario, result, options): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  checkArgument(isRecord(result) && Array.isArray(result.outcomes), 'explorePage(scenario, result, options): result', 'an exploration (explore())', result);
  checkArgument(isRecord(options), 'explorePage(scenario, result, options): options', "an object such as { design: 'sigwait' }", options);
  const violation = result.violation;
  const trace = violation?.trace ?? result.outcomes[0]?.example ?? [];
  const story = traceStory(await loadModel({ wasi: options.wasi }), scenario, trace, options);
  const last = story.frames[story.frames.length - 1]!;
  if (violation !== null) last.flag = `invariant ${violation.violation.invariant} breaks: ${violation.violation.message}`;
  const heading = `${options.name ?? 'a scenario'} explored (${designText(options.design, options.mutant)})`;
  const counts = `${counted(result.states, 'state')}, ${counted(result.interleavings, 'complete interleaving')}, ${counted(result.outcomes.length, 'outcome')}`;
  const summary = violation === null
    ? verdict([`Every invariant holds in every reachable state (${counts}).`, `Below: one interleaving of the most frequent outcome (${counted(result.outcomes[0]?.interleavings ?? 0, 'interleaving')} end${(result.outcomes[0]?.interleavings ?? 0) === 1 ? 's' : ''} there).`], true)
    : verdict([`invariant ${violation.violation.invariant} breaks: ${violation.violation.message}`, `The shortest trace to it: ${counted(trace.length, 'action')} (${counts}; stopped at the first broken invariant).`]);
  return document({
    title: `pausekit: ${heading}`,
    heading,
    sub: scenario.description ? [scenario.description] : [],
    body: [
      summary,
      view([storyFigure(story, { id: 'trace', caption: violation === null ? 'An interleaving, one row per action' : 'The trace to the broken invariant, one row per action', prefix: '' })]),
      legend([story.source]),
      `<section><h2>Every action</h2>${stepSections(story, '')}</section>`,
    ],
  });
}
