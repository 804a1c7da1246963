// What pausekit prints for a person fits a terminal of 100 columns: every
// command's --help, the command list, the examples' list, and `run`'s report
// (the title and every table) for every example scenario.
import { describe, expect, test } from 'vitest';
import { COMMAND_MODULES, capture } from './capture.ts';
import { pausekit } from './pausekit.ts';
import { PausekitError } from '../../src/errors.ts';
import { examples } from '../../src/scenario/catalog.ts';

const COLUMNS = 100;

const MODULES = COMMAND_MODULES;

/** The lines of `text` wider than COLUMNS, each with its width. */
function tooWide(text: string): string[] {
  return text.split('\n').filter((line) => line.length > COLUMNS).map((line) => `${line.length}: ${line}`);
}

describe(`pausekit's output fits ${COLUMNS} columns`, () => {
  test('the list of commands', async () => {
    const help = await pausekit(['--help']);
    expect(help.code).toBe(0);
    expect(tooWide(help.stdout)).toEqual([]);
  });

  for (const [command, load] of Object.entries(MODULES)) {
    test(`${command} --help`, async () => {
      const { code, stdout } = await capture(await load(), ['--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: pausekit ${command}\\b`));
      expect(tooWide(stdout)).toEqual([]);
    });
  }

  test('the examples, and the list an unknown scenario name gets', async () => {
    const listed = await capture(await MODULES['examples']!(), []);
    expect(listed.stdout.split('\n').filter((l) => /^\S/.test(l)).length).toBe(examples().length);
    expect(tooWide(listed.stdout)).toEqual([]);
    const error = await capture(await MODULES['run']!(), ['no-such-example']).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).message.split('\n')[0]).toBe("run: no scenario file or example named 'no-such-example'; the examples are:");
    expect(tooWide((error as PausekitError).message)).toEqual([]);
  });

  for (const example of examples()) {
    test(`run ${example.name} on the model: its title and every table`, async () => {
      const { code, stdout } = await capture(await MODULES['run']!(), [example.name, '--engine', 'model']);
      expect(code).toBe(0);
      expect(stdout.startsWith(`${example.name} on the model (sigwait design): `)).toBe(true);
      expect(tooWide(stdout)).toEqual([]);
    });
  }
});
