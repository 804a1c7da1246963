// Options that do not apply are refused, not ignored, and every mistake on
// the command line is said in pausekit's own words (never node:util's
// parseArgs text): one line naming the command and what was wrong, exit 2,
// before anything runs. A mistake in the grammar (an unknown option, a
// missing value...) is followed by the command's usage.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { COMMAND_MODULES, capture } from './capture.ts';
import { pausekit } from './pausekit.ts';
import { PausekitError } from '../../src/errors.ts';

const MODULES = COMMAND_MODULES;

/** The error a command stops with (a failure if it does not). */
async function refusal(command: string, args: string[]): Promise<PausekitError> {
  const outcome = await capture(await MODULES[command]!(), args).then((r) => r, (e: unknown) => e);
  if (outcome instanceof PausekitError) return outcome;
  throw new Error(`pausekit ${command} ${args.join(' ')} was not refused: ${JSON.stringify(outcome)}`);
}

/** An executable that answers nothing to anything. */
const dir = mkdtempSync(join(tmpdir(), 'pausekit-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const QUIET = join(dir, 'quiet');
writeFileSync(QUIET, '#!/bin/sh\nexit 0\n');
chmodSync(QUIET, 0o755);

const NOT_A_PAUSE_INIT = 'it does not answer as pause, tini, dumb-init or catatonit do (`-v` printed nothing; `--version` printed nothing)';
const INERT_REAP_ONCE = 'REAP_ONCE is a bug of the waitpid loop, and the autoreap design\'s reference mode never calls waitpid (the kernel reaps); ' +
  'it shows in init mode (a scenario with an "init" object)';

/** [command, arguments, the error's first line, whether the usage follows]. */
const REFUSED: [string, string[], string, boolean][] = [
  // Options that do not apply together.
  ['run', ['--wasi', 'wasmer'], 'run: --wasi applies to the model only (--engine model)', false],
  ['run', ['sigint', '--init', 'pause'], 'run: --init pause needs a scenario in init mode (with an "init" object)', false],
  ['run', ['init-expect', '--init', 'tini', '--engine', 'model'], 'run: --init tini runs on the kernel only (the model predicts pause)', false],
  ['run', ['init-expect', '--init', 'tini', '--design', 'handlers'],
    "run: --design picks one of pausekit's own pause builds; --init tini runs that init instead", false],
  ['run', ['init-expect', '--init', QUIET], `run: --init ${QUIET}: not an init pausekit knows: ${NOT_A_PAUSE_INIT}`, false],
  ['run', ['init-expect', '--init', '/no/such/tini'], 'run: --init /no/such/tini: not an init pausekit knows: no such file', false],
  ['explore', ['coalesced-sigchld', '--design', 'autoreap', '--mutant', 'REAP_ONCE'],
    `explore: --mutant REAP_ONCE would change nothing here: ${INERT_REAP_ONCE}`, false],
  ['explore', ['sigint', '--mutant', 'FORWARD_NOTHING'],
    'explore: --mutant FORWARD_NOTHING would change nothing here: FORWARD_NOTHING is a bug of init mode, and the scenario has no "init" object', false],
  ['explore', ['init-expect', '--mutant', 'WRONG_CODE'], 'explore: --mutant WRONG_CODE would change nothing here: WRONG_CODE is a bug of the ' +
    "reference mode's shutdown, and the scenario is in init mode (pause forwards SIGTERM to its program)", false],
  ['diff', ['sigint', '--binary', '/bin/true'], 'diff: --binary needs --design sigwait, handlers or autoreap: the design it was built with', false],
  ['which', ['model', '--arch', 'arm64'], 'which: --arch does not apply to model (only to pause and driver)', false],
  ['which', ['driver', '--design', 'handlers'], 'which: --design does not apply to driver (only to pause)', false],
  ['which', ['pause', '--mutant', 'REAP_ONCE'], 'which: --mutant needs --design sigwait, handlers or autoreap: the design of the mutant\'s build', false],
  ['which', ['pause', '--design', 'sigwait', '--mutant', 'REAP_ONCE', '--arch', 'arm64'],
    'which: --mutant builds are for this machine only: --arch does not apply', false],
  ['image', ['--out', 'x.tar', '--binary', '/bin/true', '--builds', '/tmp'], 'image: --binary and --builds both say what goes in the image: give one of them', true],
  // The grammar, in pausekit's words.
  ['run', ['--engin', 'model'], "run: unknown option '--engin'", true],
  ['run', ['-json'], "run: unknown option '-j' (in '-json')", true],
  ['run', ['--design'], 'run: --design needs a value', true],
  ['run', ['--design', '--json'], "run: --design needs a value, and '--json' after it looks like an option (for a value starting with '-', write --design=VALUE)", true],
  ['run', ['--json=yes'], 'run: --json takes no value (got --json=yes)', true],
  ['run', ['--design', 'sigwait', '--design', 'handlers'], 'run: --design given twice ("sigwait" and "handlers"): give it once', true],
  ['run', ['sigint', 'coalesced-sigchld'], "run: one scenario at a time (got 'sigint' and 'coalesced-sigchld')", true],
  ['explore', [], 'explore: which scenario? (a scenario file, or the name of an example: pausekit examples)', true],
  ['examples', ['extra'], "examples: unexpected argument 'extra': this command takes no arguments, only options", true],
  ['which', [], 'which: which binary? (pause, driver or model)', true],
];

describe('pausekit refuses', () => {
  for (const [command, args, line, usage] of REFUSED) {
    const shown = args.map((a) => (a === QUIET ? 'QUIET' : a)).join(' ');
    test(`${command} ${shown}: "${line.replace(QUIET, 'QUIET')}"${usage ? ', then the usage' : ''}`, async () => {
      const error = await refusal(command, args);
      const [first, ...rest] = error.message.split('\n');
      expect(first).toBe(line);
      expect(error.exitCode).toBe(2);
      if (usage) expect(rest.join('\n')).toBe((await capture(await MODULES[command]!(), ['--help'])).stdout.trimEnd());
      else expect(rest).toEqual([]);
      expect(first).not.toMatch(/Option '|argument is ambiguous|Unknown option|does not take an argument|argument missing|positional arguments/);
    });
  }

  test('through the executable as well: the one line on stderr, exit 2, nothing on stdout', async () => {
    const result = await pausekit(['explore', 'coalesced-sigchld', '--design', 'autoreap', '--mutant', 'REAP_ONCE']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `pausekit: explore: --mutant REAP_ONCE would change nothing here: ${INERT_REAP_ONCE}\n` });
  });
});
