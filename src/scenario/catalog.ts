// The example scenarios pausekit ships, by name: src/scenario/examples/ in
// a checkout, dist/scenario/examples/ in the package (beside this module in
// both). A command's scenario argument is a file, or an example's name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PausekitError, printable } from '../errors.ts';
import { loadScenario } from './load.ts';
import { COLUMNS, wrap } from './report.ts';

/** Where the examples are, this module's examples/ folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('./examples/', import.meta.url));

export interface Example {
  /** `coalesced-sigchld`: the file name without `.json`. */
  name: string;
  file: string;
  /** The scenario's one-line description. */
  description: string;
}

/** Every example, by name (not the expected observations beside them). */
export function examples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json') && !f.includes('.expected'))
    .sort()
    .map((f) => {
      const file = join(EXAMPLES_DIR, f);
      return { name: f.slice(0, -'.json'.length), file, description: loadScenario(file).description ?? '' };
    });
}

/**
 * The file a scenario argument names: a path (it has a `/` or ends in
 * `.json`, or a file of that name is here) as it is; else the example of
 * that name. Neither is an error listing the examples: one line, then their
 * names.
 */
export function scenarioFile(argument: string): string {
  if (argument.includes('/') || argument.endsWith('.json') || existsSync(argument)) return argument;
  const names = examples().map((e) => e.name);
  if (names.includes(argument)) return join(EXAMPLES_DIR, `${argument}.json`);
  const list = wrap(names.join(', '), COLUMNS - 2).map((line) => `  ${line}`);
  throw new PausekitError(`no scenario file or example named '${printable(argument, 60)}'; the examples are:\n${list.join('\n')}`,
    { field: 'scenario', value: argument });
}
