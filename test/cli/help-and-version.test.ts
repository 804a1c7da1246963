// The conventions of a command line: `pausekit --version` (and -V) prints
// the package's version; `pausekit help` lists every command, and
// `pausekit help CMD` prints what `pausekit CMD --help` prints, for every
// command; with no command, pausekit says so (exit 2).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { pausekit } from './pausekit.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every command: a module in src/cli/ that exports run(), as main.ts's table loads them. */
const COMMANDS = readdirSync(new URL('../../src/cli/', import.meta.url))
  .filter((f) => f.endsWith('.ts') && readFileSync(new URL(`../../src/cli/${f}`, import.meta.url), 'utf8').includes('export async function run('))
  .map((f) => f.slice(0, -3))
  .sort();

describe('pausekit', () => {
  test('has the commands this test knows of', () => {
    expect(COMMANDS).toEqual(['bench', 'conform', 'diff', 'examples', 'explore', 'image', 'run', 'soak', 'which']);
  });

  test(`prints "pausekit ${version}" for --version and -V, from package.json`, async () => {
    for (const flag of ['--version', '-V']) {
      expect(await pausekit([flag])).toEqual({ code: 0, stdout: `pausekit ${version}\n`, stderr: '' });
    }
    const extra = await pausekit(['--version', 'run']);
    expect(extra).toEqual({ code: 2, stdout: '', stderr: "pausekit: --version takes nothing after it (got 'run')\n" });
  });

  test('lists every command with help, --help and -h alike', async () => {
    const help = await pausekit(['help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    const listed = help.stdout.split('\n').filter((l) => /^ {2}\w/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect([...listed].sort()).toEqual(COMMANDS);
    expect(await pausekit(['--help'])).toEqual(help);
    expect(await pausekit(['-h'])).toEqual(help);
  });

  test('says which command is missing, with the usage, exit 2', async () => {
    const none = await pausekit([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^pausekit: which command\?\nusage: pausekit <command> \[options\]\n/);
  });

  for (const command of COMMANDS) {
    test(`prints the same for help ${command} as for ${command} --help, its usage, exit 0`, async () => {
      const [viaHelp, viaOption] = await Promise.all([pausekit(['help', command]), pausekit([command, '--help'])]);
      expect(viaOption.code).toBe(0);
      expect(viaOption.stdout).toMatch(new RegExp(`^usage: pausekit ${command}\\b`));
      expect(viaHelp).toEqual(viaOption);
    });
  }
});
