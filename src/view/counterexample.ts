// Pictures of failures. When a property fails, the message names an HTML
// page of the (shrunk) counterexample: pausekit/vitest's matchers draw the
// run they were given, a property runner draws the scenario it found. The
// pages go to $PAUSEKIT_HTML_DIR, else to a default the caller chooses
// (the system's temporary directory for pausekit/vitest).
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { provenanceOf } from '../engines/provenance.ts';
import type { ModelModule } from '../engines/model/wasm.ts';
import { describeStep } from '../scenario/report.ts';
import type { Design, Observation, Scenario } from '../scenario/types.ts';
import { document, verdict } from './page.ts';
import { renderRun } from './pages.ts';
import { modelStory } from './replay.ts';
import { escapeHtml } from './timeline.ts';
import { writePage } from './write.ts';

/** The environment variable naming the directory failure pictures go to. */
export const HTML_DIR_VARIABLE = 'PAUSEKIT_HTML_DIR';

/** Where failure pictures go: $PAUSEKIT_HTML_DIR, else `fallback`. */
export function htmlDirectory(fallback: string): string {
  checkArgument(typeof fallback === 'string', 'htmlDirectory(fallback)', 'the directory to use when PAUSEKIT_HTML_DIR is not set', fallback);
  const dir = process.env[HTML_DIR_VARIABLE];
  return resolve(dir !== undefined && dir !== '' ? dir : fallback);
}

/** A file name made of any text: letters, digits, dot, dash and underscore, at most 120 characters. */
export function fileNamed(...parts: string[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'run';
}

/** Whether a matcher got a run's observations (what runModel or runKernel return). */
function isObservations(value: unknown): value is Observation[] {
  return Array.isArray(value) && value.length > 0 &&
    value.every((o) => typeof o === 'object' && o !== null && 'pause' in o && 'processes' in o && typeof (o as Observation).step === 'number');
}

/** The check that failed, so the picture can mark where. */
export type FailedCheck = 'reaped everything' | 'exit code' | 'invariants';

/** The observation index a failed check points at: the first zombie left, the end, the first broken invariant. */
function failedAt(check: FailedCheck, observations: Observation[], violationStep?: number): number {
  if (check === 'invariants') return Math.min(observations.length - 1, (violationStep ?? -1) + 1);
  if (check === 'exit code') return observations.length - 1;
  const at = observations.findIndex((o) => o.pause.state === 'running' &&
    Object.values(o.processes).some((p) => p.state === 'zombie' && p.parent === 'pause'));
  return at < 0 ? observations.length - 1 : at;
}

/**
 * For a failed matcher: draws what it was given (a run's observations, or
 * playPlan's result) to a page named after the test, and returns the
 * file; undefined when there is no run in it to draw.
 */
export function drawFailure(received: unknown, check: FailedCheck, why: string, test: { name?: string; path?: string }, fallbackDir: string): string | undefined {
  const played = typeof received === 'object' && received !== null && !Array.isArray(received) ? received as { scenario?: Scenario; observations?: unknown; violations?: { step: number }[] } : undefined;
  const observations = played?.observations ?? received;
  if (!isObservations(observations)) return undefined;
  const known = provenanceOf(observations);
  const scenario: Scenario = known?.scenario ?? played?.scenario ?? { version: 1, pid1: true, steps: [] };
  const index = failedAt(check, observations, played?.violations?.[0]?.step);
  const html = renderRun(known?.model, scenario, observations, {
    engine: known?.engine ?? 'model',
    design: known?.design,
    mutant: known?.mutant,
    init: known?.init,
    name: test.name ?? 'a run',
    why: [why, ...(known === undefined && played?.scenario === undefined ? ['The scenario is not known (these observations were not made by runModel or runKernel here): the steps are numbered only.'] : [])],
    flag: { index, text: `the check fails here: ${why.split('\n')[0]}` },
  });
  const dir = htmlDirectory(fallbackDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${fileNamed(basename(test.path ?? 'test'), test.name ?? 'run')}.html`);
  writePage(file, html);
  return file;
}

/** A page for a scenario the model refuses to play: why, and its steps in words. */
function refusedPage(scenario: Scenario, why: string[]): string {
  const steps = scenario.steps.map((s, i) => `<li value="${i}">${escapeHtml(describeStep(s))}</li>`).join('');
  return document({ title: 'pausekit: a counterexample', heading: 'A counterexample the model refuses to play', sub: [], body: [verdict(why), `<ol>${steps}</ol>`] });
}

/**
 * For a property runner: the shrunk scenario played on the model with
 * `design`, drawn with why it fails on top, written to `file`.
 */
export function drawCounterexample(model: ModelModule, scenario: Scenario, options: { why: string; design: Design; file: string; name?: string }): string {
  checkArgument(isRecord(model) && typeof model.create === 'function', 'drawCounterexample(model, scenario, options): model', 'a model (loadModel())', model);
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'drawCounterexample(model, scenario, options): scenario', 'a Scenario', scenario);
  checkArgument(isRecord(options) && typeof options.file === 'string', 'drawCounterexample(model, scenario, options): options', "an object such as { why, design: 'sigwait', file }", options);
  let html: string;
  try {
    const { observations } = modelStory(model, scenario, { design: options.design });
    html = renderRun(model, scenario, observations, { engine: 'model', design: options.design, name: options.name ?? 'the counterexample', why: options.why.split('\n') });
  } catch (error) {
    if (!(error instanceof PausekitError)) throw error;
    html = refusedPage(scenario, [...options.why.split('\n'), `The model (${options.design} design) refuses it: ${error.message}`]);
  }
  mkdirSync(dirname(options.file), { recursive: true });
  writePage(options.file, html);
  return options.file;
}
