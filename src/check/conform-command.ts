// Any init, as `pausekit conform --init` and `pausekit run --init` take it:
// the argv prefix that comes before the program (`tini --`), and a template
// for each feature of the contract the init offers. A feature without a
// template is not offered, and no scenario that needs it runs.
//
//   --group-flag WORDS      signal the program's process group (tini -g)
//   --single-flag WORDS     signal the program alone, where the group is the
//                           init's default (dumb-init --single-child)
//   --subreaper-flag WORDS  become a child subreaper when not PID 1 (tini -s)
//   --subreaper-env N=V     the same through the environment (TINI_SUBREAPER=)
//   --expect-flag WORDS     map an exit code to 0, once per code, with {code}
//                           standing for it (tini '-e {code}')
//
// The words go just before the prefix's first `--`, or after the prefix when
// it has none: subreaper first, then group, then one expect per code.
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findOnPath } from '../engines/kernel/engine.ts';
import { PausekitError, checkArgument, isRecord, printable } from '../errors.ts';
import type { InitConfig } from '../scenario/types.ts';

/** The template options, as node:util's parseArgs declares them (for every command that takes an init). */
export const TEMPLATE_OPTIONS = {
  'group-flag': { type: 'string' },
  'single-flag': { type: 'string' },
  'subreaper-flag': { type: 'string' },
  'subreaper-env': { type: 'string' },
  'expect-flag': { type: 'string' },
} as const;

export type TemplateOption = keyof typeof TEMPLATE_OPTIONS;
export const TEMPLATE_NAMES = Object.keys(TEMPLATE_OPTIONS) as TemplateOption[];

/** The usage lines that explain the templates, for a command's --help. */
export const TEMPLATE_USAGE = `  --group-flag W    the words that make the init signal the program's process
                    group (tini: -g); without it (or --single-flag) not offered
  --single-flag W   instead: the words that make it signal the program alone,
                    where the group is its default (dumb-init: --single-child)
  --subreaper-flag W  the words that make it a child subreaper when it is not
                    PID 1 (tini: -s)
  --subreaper-env N=V  instead: the variable that does (tini: TINI_SUBREAPER=)
  --expect-flag W   the words that map an exit code to 0, {code} standing for
                    it, given once per code (tini: '-e {code}')`;

/** A feature of the contract an init may offer. */
export type Feature = 'group' | 'subreaper' | 'expect';

/** An init given as a command line, with its features' templates. */
export interface InitCommand {
  /** The prefix as given (for messages and replay lines). */
  text: string;
  /** The prefix, its first word resolved to an executable's path. */
  argv: string[];
  /** Words for group forwarding, or for single forwarding where the group is the default. */
  group?: { words: string[]; onlyWhen: 'group' | 'single' };
  subreaper?: { words: string[] } | { env: string };
  /** Words per code, with {code} in them. */
  expect?: string[];
  /** The templates as given, by option, for replay lines. */
  given: Partial<Record<TemplateOption, string>>;
}

/** Words of a command line: split at white space, with '...' and "..." keeping theirs. */
export function splitWords(text: string, where: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (const c of text) {
    if (quote !== null) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== null) throw new PausekitError(`${where}: unbalanced quote in '${printable(text, 60)}'`, { field: where, value: text });
  if (word !== null) words.push(word);
  return words;
}

/** The executable a command's first word names: a path as it is, else found on PATH. */
function executable(word: string, where: string): string {
  const path = word.includes('/') ? word : findOnPath(word);
  if (path === undefined) throw new PausekitError(`${where}: '${printable(word, 60)}' is not on PATH`, { field: where, value: word });
  try {
    if (statSync(path).isDirectory()) throw new PausekitError(`${where}: ${printable(path, 80)} is a directory`, { field: where, value: word });
    accessSync(path, constants.X_OK);
  } catch (error) {
    if (error instanceof PausekitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not executable' : `cannot use it (${code})`;
    throw new PausekitError(`${where}: ${printable(path, 80)}: ${why}`, { field: where, value: word });
  }
  return path;
}

/** The words of one template option, which must have some. */
function templateWords(option: TemplateOption, text: string): string[] {
  const words = splitWords(text, `--${option}`);
  if (words.length === 0) throw new PausekitError(`--${option}: give the init's words for it (got nothing)`, { field: option, value: text });
  return words;
}

/**
 * An init command from the text of --init and the template options given
 * (undefined: not given). Bad input is a PausekitError naming the option.
 */
export function initCommand(text: string, templates: Partial<Record<TemplateOption, string | undefined>>, where = '--init'): InitCommand {
  checkArgument(typeof text === 'string', 'initCommand(text, templates): text', "the init's command line before the program ('tini --')", text);
  checkArgument(isRecord(templates as unknown), 'initCommand(text, templates): templates', "the feature templates ({ 'group-flag': '-g' }, or {})", templates);
  const prefix = splitWords(text, where);
  if (prefix.length === 0) throw new PausekitError(`${where}: give the init's command line (got nothing)`, { field: where, value: text });
  const given = Object.fromEntries(Object.entries(templates).filter(([, v]) => v !== undefined)) as Partial<Record<TemplateOption, string>>;
  const both = (a: TemplateOption, b: TemplateOption, why: string): void => {
    if (given[a] !== undefined && given[b] !== undefined) {
      throw new PausekitError(`--${a} and --${b}: give one (${why})`, { field: a, value: [given[a], given[b]] });
    }
  };
  both('group-flag', 'single-flag', 'an init signals either the program or its group by default');
  both('subreaper-flag', 'subreaper-env', 'one way to ask for a subreaper');
  const command: InitCommand = { text, argv: [executable(prefix[0]!, where), ...prefix.slice(1)], given };
  if (given['group-flag'] !== undefined) command.group = { words: templateWords('group-flag', given['group-flag']), onlyWhen: 'group' };
  if (given['single-flag'] !== undefined) command.group = { words: templateWords('single-flag', given['single-flag']), onlyWhen: 'single' };
  if (given['subreaper-flag'] !== undefined) command.subreaper = { words: templateWords('subreaper-flag', given['subreaper-flag']) };
  if (given['subreaper-env'] !== undefined) {
    const env = given['subreaper-env'];
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(env)) {
      throw new PausekitError(`--subreaper-env: expected NAME=VALUE (the value may be empty: TINI_SUBREAPER=), got '${printable(env, 60)}'`,
        { field: 'subreaper-env', value: env });
    }
    command.subreaper = { env };
  }
  if (given['expect-flag'] !== undefined) {
    const words = templateWords('expect-flag', given['expect-flag']);
    if (!words.some((w) => w.includes('{code}'))) {
      throw new PausekitError(`--expect-flag: the words must hold {code}, where the exit code goes (e.g. '-e {code}'), got '${printable(given['expect-flag'], 60)}'`,
        { field: 'expect-flag', value: given['expect-flag'] });
    }
    command.expect = words;
  }
  return command;
}

/** Whether the init offers a feature. */
export function offers(command: InitCommand, feature: Feature): boolean {
  return command[feature] !== undefined;
}

/** The feature an init-mode scenario's options need that the init does not offer, or null. */
export function unoffered(command: InitCommand, init: InitConfig): Feature | null {
  if (init.group && command.group === undefined) return 'group';
  if (init.subreaper && command.subreaper === undefined) return 'subreaper';
  if (init.expect.length > 0 && command.expect === undefined) return 'expect';
  return null;
}

/**
 * The init's whole command line for a scenario's options and the program's
 * argv; an option the init does not offer is an error (check unoffered()).
 */
export function commandArgv(command: InitCommand, init: InitConfig, program: string[]): string[] {
  const feature = unoffered(command, init);
  if (feature !== null) throw new PausekitError(`the init ${printable(command.text, 60)} does not offer ${feature}`, { field: 'init', value: feature });
  const subreaper = init.subreaper && command.subreaper !== undefined && 'words' in command.subreaper ? command.subreaper.words : [];
  const group = command.group !== undefined && (command.group.onlyWhen === 'group') === init.group ? command.group.words : [];
  const expect = init.expect.flatMap((code) => (command.expect ?? []).map((w) => w.replaceAll('{code}', String(code))));
  const words = [...subreaper, ...group, ...expect];
  const separator = command.argv.indexOf('--', 1);
  const at = separator < 0 ? command.argv.length : separator;
  const line = [...command.argv.slice(0, at), ...words, ...command.argv.slice(at), ...program];
  if (init.subreaper && command.subreaper !== undefined && 'env' in command.subreaper) {
    const env = findOnPath('env');
    if (env === undefined) throw new PausekitError('--subreaper-env needs env(1) on PATH, to start the init with the variable set', { field: 'subreaper-env' });
    return [env, command.subreaper.env, ...line];
  }
  return line;
}

/** A word as a shell reads it back: bare when safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The options that give this init again on a command line: `--init 'tini --' --group-flag=-g ...`. */
export function commandOptions(command: InitCommand): string {
  const templates = TEMPLATE_NAMES.filter((name) => command.given[name] !== undefined)
    .map((name) => `--${name}=${shellWord(command.given[name]!)}`);
  return [`--init ${shellWord(command.text)}`, ...templates].join(' ');
}

/** Whether a command line asks for an init given as a command (not one pausekit knows by name). */
export function isCommandLine(text: string, templates: Partial<Record<TemplateOption, string | undefined>>): boolean {
  return /\s/.test(text.trim()) || Object.values(templates).some((v) => v !== undefined);
}

/**
 * A sandbox pause given as a command line: its path when it is one word,
 * else a script that execs it with its arguments (`catatonit -P`), in a
 * folder of its own that `dispose` removes. The kernel engine starts a
 * pause with no arguments, and exec keeps its pid.
 */
export function pauseCommand(text: string, where = '--pause'): { path: string; argv: string[]; dispose: () => void } {
  checkArgument(typeof text === 'string', 'pauseCommand(text): text', "a sandbox pause's command line (its path, or 'catatonit -P')", text);
  const words = splitWords(text, where);
  if (words.length === 0) throw new PausekitError(`${where}: give the pause's command line (got nothing)`, { field: where, value: text });
  const argv = [executable(words[0]!, where), ...words.slice(1)];
  if (argv.length === 1) return { path: argv[0]!, argv, dispose: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-pause-'));
  const path = join(dir, basename(argv[0]!));
  writeFileSync(path, `#!/bin/sh\nexec ${argv.map(shellWord).join(' ')}\n`, { mode: 0o755 });
  return { path, argv, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
