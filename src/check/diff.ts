// Kernel against model: run one scenario on both engines and list, step by
// step, where their observations differ. `pausekit diff` (src/cli/diff.ts)
// prints what this finds.
import { kernelEngine, modelEngine } from '../engines/engine.ts';
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { describeStep } from '../scenario/report.ts';
import type { WasiRuntime } from '../engines/model/wasm.ts';
import type { Design, Observation, PauseObservation, ProcessObservation, Scenario } from '../scenario/types.ts';

/** What an engine made of a scenario: observations, or the error it stopped at. */
export type Outcome = { observations: Observation[] } | { error: PausekitError };

/** Runs an engine; a livelock or a refused step is an outcome, any other error is thrown. */
export async function outcome(run: () => Promise<Observation[]>): Promise<Outcome> {
  try {
    return { observations: await run() };
  } catch (error) {
    // A livelock (or a step an engine refused) is an outcome to compare.
    if (error instanceof PausekitError && (error.details.kind === 'livelock' || error.details.step !== undefined)) return { error };
    throw error;
  }
}

function pauseText(pause: PauseObservation | undefined): string {
  if (pause === undefined) return '(none)';
  if (pause.state === 'exited') return `exited ${pause.code}`;
  if (pause.state === 'killed') return `killed by ${pause.signal}`;
  return pause.state;
}

function processText(p: ProcessObservation | undefined): string {
  if (p === undefined) return '(not there)';
  return p.parent === null ? p.state : `${p.state}, parent ${p.parent}`;
}

/** The lines that differ between two observations of one step. */
export function differences(model: Observation | undefined, kernel: Observation | undefined): string[] {
  const lines: string[] = [];
  if (pauseText(model?.pause) !== pauseText(kernel?.pause)) {
    lines.push(`    pause: model ${pauseText(model?.pause)} | kernel ${pauseText(kernel?.pause)}`);
  }
  const names = [...new Set([...Object.keys(model?.processes ?? {}), ...Object.keys(kernel?.processes ?? {})])];
  for (const name of names) {
    const m = processText(model?.processes[name]);
    const k = processText(kernel?.processes[name]);
    if (m !== k) lines.push(`    ${name}: model ${m} | kernel ${k}`);
  }
  const ms = JSON.stringify(model?.stderr ?? []);
  const ks = JSON.stringify(kernel?.stderr ?? []);
  if (ms !== ks) lines.push(`    stderr: model ${ms} | kernel ${ks}`);
  return lines;
}

function stepTitle(scenario: Scenario, step: number): string {
  if (step < 0) return 'start (pause just launched)';
  const s = scenario.steps[step];
  return s === undefined ? `step ${step}` : `step ${step}: ${describeStep(s)}`;
}

/** The report for one design: empty when the engines agree. */
export function compare(scenario: Scenario, model: Outcome, kernel: Outcome): string[] {
  if ('error' in model || 'error' in kernel) {
    const text = (o: Outcome) => ('error' in o ? o.error.message : 'settles after every step');
    const same = 'error' in model && 'error' in kernel && model.error.details.kind === kernel.error.details.kind &&
      model.error.details.step === kernel.error.details.step;
    return same ? [] : [`    model: ${text(model)}`, `    kernel: ${text(kernel)}`];
  }
  const lines: string[] = [];
  const count = Math.max(model.observations.length, kernel.observations.length);
  for (let i = 0; i < count; i++) {
    const diff = differences(model.observations[i], kernel.observations[i]);
    if (diff.length > 0) lines.push(`  ${stepTitle(scenario, i - 1)}`, ...diff);
  }
  return lines;
}

/**
 * Runs the scenario with one design on the kernel (with `binary` as pause,
 * if given) and on the model (under `wasi`, if given); the report lines,
 * empty when they agree.
 */
export async function diffDesign(scenario: Scenario, design: Design = 'sigwait', options: { binary?: string; wasi?: WasiRuntime } = {}): Promise<string[]> {
  checkArgument(isRecord(scenario) && Array.isArray(scenario.steps), 'diffDesign(scenario, design): scenario', 'a Scenario (parseScenario, loadScenario)', scenario);
  const kernel = await outcome(() => kernelEngine({ binary: options.binary }).run(scenario, design));
  const model = await outcome(() => modelEngine({ wasi: options.wasi }).run(scenario, design));
  return compare(scenario, model, kernel);
}
