// An init given as a command line and its templates (src/check/conform-command.ts):
// where each feature's words go, what is refused, and that the options a
// report prints give the same init back.
import { describe, expect, test } from 'vitest';
import {
  commandArgv, commandOptions, initCommand, isCommandLine, pauseCommand, splitWords, unoffered,
} from '../../src/check/conform-command.ts';
import { findOnPath } from '../../src/engines/kernel/engine.ts';
import { PausekitError } from '../../src/errors.ts';
import type { InitConfig } from '../../src/scenario/types.ts';

const NONE: InitConfig = { name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true };
const ALL: InitConfig = { ...NONE, group: true, subreaper: true, expect: [3, 143] };
const SH = findOnPath('sh')!;

/** The message of what `run` throws, which must be a PausekitError. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PausekitError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('an init given as a command line', () => {
  test('splits its words at spaces, quotes keeping theirs', () => {
    expect(splitWords(`tini  -v --  'a b'"c"`, 'x')).toEqual(['tini', '-v', '--', 'a bc']);
    expect(splitWords(`''`, 'x')).toEqual(['']);
    expect(refusal(() => splitWords(`tini 'x`, '--init'))).toBe(`--init: unbalanced quote in 'tini 'x'`);
  });

  test('puts the feature words just before its first --, subreaper, group, then one expect per code', () => {
    const tini = initCommand('sh -x --', { 'subreaper-flag': '-s', 'group-flag': '-g', 'expect-flag': '-e {code}' });
    expect(commandArgv(tini, ALL, ['prog', '--', 'arg'])).toEqual([SH, '-x', '-s', '-g', '-e', '3', '-e', '143', '--', 'prog', '--', 'arg']);
    expect(commandArgv(tini, NONE, ['prog'])).toEqual([SH, '-x', '--', 'prog']);
  });

  test('puts them after the prefix when it has no --, and takes single forwarding words for group-by-default inits', () => {
    const dumb = initCommand('sh', { 'single-flag': '--single-child' });
    expect(commandArgv(dumb, NONE, ['prog'])).toEqual([SH, '--single-child', 'prog']);
    expect(commandArgv(dumb, { ...NONE, group: true }, ['prog'])).toEqual([SH, 'prog']);
  });

  test('starts the init through env(1) with the subreaper variable, only when a scenario asks for a subreaper', () => {
    const init = initCommand('sh --', { 'subreaper-env': 'TINI_SUBREAPER=' });
    expect(commandArgv(init, { ...NONE, subreaper: true }, ['prog'])).toEqual([findOnPath('env'), 'TINI_SUBREAPER=', SH, '--', 'prog']);
    expect(commandArgv(init, NONE, ['prog'])).toEqual([SH, '--', 'prog']);
  });

  test('offers only the features it has a template for', () => {
    const bare = initCommand('sh --', {});
    expect([unoffered(bare, NONE), unoffered(bare, { ...NONE, group: true }), unoffered(bare, { ...NONE, subreaper: true }),
      unoffered(bare, { ...NONE, expect: [1] })]).toEqual([null, 'group', 'subreaper', 'expect']);
    expect(refusal(() => commandArgv(bare, { ...NONE, expect: [1] }, ['prog']))).toBe('the init sh -- does not offer expect');
  });

  test('gives itself back as the options a report prints', () => {
    const init = initCommand("sh -c 'exec \"$0\" \"$@\"' --", { 'group-flag': '-g', 'expect-flag': '-e {code}' });
    expect(commandOptions(init)).toBe(`--init 'sh -c '\\''exec "$0" "$@"'\\'' --' --group-flag=-g --expect-flag='-e {code}'`);
    expect(commandOptions(initCommand('sh', {}))).toBe('--init sh');
  });

  test.each([
    ['no command', '', {}, '--init: give the init\'s command line (got nothing)'],
    ['an init not on PATH', 'no-such-init-anywhere --', {}, "--init: 'no-such-init-anywhere' is not on PATH"],
    ['a path that is not there', '/no/such/init', {}, '--init: /no/such/init: no such file'],
    ['a directory', '/tmp --', {}, '--init: /tmp is a directory'],
    ['both group templates', 'sh', { 'group-flag': '-g', 'single-flag': '-1' },
      '--group-flag and --single-flag: give one (an init signals either the program or its group by default)'],
    ['both subreaper templates', 'sh', { 'subreaper-flag': '-s', 'subreaper-env': 'X=' }, '--subreaper-flag and --subreaper-env: give one (one way to ask for a subreaper)'],
    ['an empty template', 'sh', { 'group-flag': ' ' }, "--group-flag: give the init's words for it (got nothing)"],
    ['an expect template without {code}', 'sh', { 'expect-flag': '-e' },
      "--expect-flag: the words must hold {code}, where the exit code goes (e.g. '-e {code}'), got '-e'"],
    ['a subreaper variable without =', 'sh', { 'subreaper-env': 'TINI_SUBREAPER' },
      "--subreaper-env: expected NAME=VALUE (the value may be empty: TINI_SUBREAPER=), got 'TINI_SUBREAPER'"],
  ] as const)('refuses %s, in one line', (_, text, templates, message) => {
    expect(refusal(() => initCommand(text, templates))).toBe(message);
  });

  test('is told from a named init by a space or a template', () => {
    expect([isCommandLine('tini', {}), isCommandLine('tini --', {}), isCommandLine('/usr/bin/tini', { 'group-flag': '-g' })]).toEqual([false, true, true]);
  });
});

describe('a sandbox pause given as a command line', () => {
  test('is its path when it has no arguments, else a script that execs it with them, removed by dispose', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    expect(pauseCommand('sh').path).toBe(SH);
    const wrapped = pauseCommand("sh -c 'exit 0'");
    expect(readFileSync(wrapped.path, 'utf8')).toBe(`#!/bin/sh\nexec ${SH} -c 'exit 0'\n`);
    wrapped.dispose();
    expect(existsSync(wrapped.path)).toBe(false);
  });
});
