// The shipped example scenarios are named without a path: `pausekit
// examples` lists them with their descriptions, and run, diff and explore
// take a name where they take a file. A file of that name in the current
// folder wins; a name that is neither is one line, then the examples' names.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { capture } from './capture.ts';
import { pausekit } from './pausekit.ts';
import * as examplesCommand from '../../src/cli/examples.ts';
import * as exploreCommand from '../../src/cli/explore.ts';
import * as runCommand from '../../src/cli/run.ts';
import { EXAMPLES_DIR } from '../../src/scenario/catalog.ts';
import { loadScenario } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'pausekit-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every example file beside the sources, by name. */
const FILES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();

describe('the example scenarios', () => {
  test(`are listed by pausekit examples, all ${FILES.length}, each with its description`, async () => {
    const { code, stdout } = await capture(examplesCommand, []);
    expect(code).toBe(0);
    // An entry starts at column 0; its description, wrapped, goes on indented.
    const entries = stdout.trimEnd().split(/\n(?=\S)/).map((entry) => entry.replace(/\s+/g, ' '));
    expect(entries).toEqual(FILES.map((f) => `${f.slice(0, -5)} ${loadScenario(join(EXAMPLES_DIR, f)).description}`));
  });

  test('are run by name as by their path', async () => {
    const byName = await capture(runCommand, ['coalesced-sigchld', '--engine', 'model', '--json']);
    const byPath = await capture(runCommand, [join(EXAMPLES_DIR, 'coalesced-sigchld.json'), '--engine', 'model', '--json']);
    expect(byName).toEqual({ code: 0, stdout: byPath.stdout, stderr: '' });
    const table = await capture(runCommand, ['sigint', '--engine', 'model']);
    expect(table.stdout.split('\n')[0]).toBe('sigint on the model (sigwait design): SIGINT from inside the namespace shuts pause down like');
  });

  test('are explored by name', async () => {
    const { code, stdout } = await capture(exploreCommand, ['sigint']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sigint \(sigwait design\): \d+ states, /);
  });

  test('give way to a file of that name in the current folder', async () => {
    writeFileSync(join(dir, 'sigint'), JSON.stringify({ version: 1, description: 'a file named sigint', steps: [] }));
    const result = await pausekit(['run', 'sigint', '--engine', 'model'], { cwd: dir });
    expect(result.stdout.split('\n')[0]).toBe('sigint on the model (sigwait design): a file named sigint');
  });

  test('are listed after the one line for a name that is neither a file nor an example, exit 2', async () => {
    const result = await pausekit(['explore', 'coalesced'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [first, ...names] = result.stderr.trimEnd().split('\n');
    expect(first).toBe("pausekit: explore: no scenario file or example named 'coalesced'; the examples are:");
    expect(names.join(' ').trim().split(/,\s+/)).toEqual(FILES.map((f) => f.slice(0, -5)));
  });
});
