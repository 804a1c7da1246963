// Argument parsing for every subcommand: node:util's parseArgs, with the
// mistakes found and said in pausekit's own words (never parseArgs' text):
// an unknown option, an option without its value (or with one it does not
// take), an argument the command does not take, an option given twice with
// two values. Each such error names the command and is followed by its
// usage. --help (-h) anywhere wins, even beside a mistake.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PausekitError, printable } from '../errors.ts';
import { scenarioFile } from '../scenario/catalog.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** One subcommand's argument grammar. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** The subcommand's name, first in every error message: `run`. */
  name: string;
  /** Printed by --help, and after every error about the command line. */
  usage: string;
  options: O;
  /** Whether the command takes arguments that are not options (a file). */
  positionals?: boolean;
}

const HELP = { type: 'boolean', short: 'h' } as const;

type Config<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O & { help: typeof HELP };
  strict: true;
  allowPositionals: true;
  tokens: true;
};

/** What parseArgs returns for a spec: typed values, positionals and tokens. */
export type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>;

type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never;

/** How much of a word from the command line an error shows. */
const SHOWN_MAX = 60;

/** An error about the command line as a whole: the message, then the usage. */
export function usageError(spec: { name: string; usage: string }, message: string, details: Record<string, unknown> = {}): PausekitError {
  return new PausekitError(`${spec.name}: ${message}\n${spec.usage}`, details);
}

/**
 * Parses `args` against the spec. With --help or -h anywhere (even beside a
 * mistake), prints the usage to stdout and returns null: the command then
 * exits 0.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>, args: string[]): Parsed<O> | null {
  const options: ParseArgsOptionsConfig = { ...spec.options, help: HELP };
  // Lenient first: every token, right or wrong, to look at in order.
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help' && t.value === undefined)) {
    process.stdout.write(`${spec.usage}\n`);
    return null;
  }
  const mistake = firstMistake(spec, options, args, tokens);
  if (mistake !== null) throw usageError(spec, mistake.message, mistake.details);
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: spec.positionals ?? false, tokens: true }) as Parsed<O>;
  } catch (error) {
    // Every mistake strict parsing knows is found above; this is a safety net, in our words.
    throw usageError(spec, 'cannot read these arguments', { field: 'arguments', value: args, reason: (error as { code?: unknown }).code });
  }
}

/** The first thing wrong on the command line, in the order written, or null. */
function firstMistake(
  spec: { name: string; positionals?: boolean },
  options: ParseArgsOptionsConfig,
  args: string[],
  tokens: Token[],
): { message: string; details: Record<string, unknown> } | null {
  const given = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (spec.positionals === true) continue;
      return {
        message: `unexpected argument '${printable(token.value, SHOWN_MAX)}': this command takes no arguments, only options`,
        details: { field: 'arguments', value: token.value },
      };
    }
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    const raw = printable(token.rawName, SHOWN_MAX);
    if (option === undefined) {
      const word = args[token.index] ?? token.rawName;
      const within = word === token.rawName || word.startsWith(`${token.rawName}=`) ? '' : ` (in '${printable(word, SHOWN_MAX)}')`;
      return { message: `unknown option '${raw}'${within}`, details: { field: 'option', value: token.rawName } };
    }
    const mistake = valueMistake(option.type, raw, token, given);
    if (mistake !== null) return { message: mistake, details: { field: token.name, value: token.value } };
  }
  return null;
}

/** What is wrong with a known option's value, or null; remembers string values to catch a second, different one. */
function valueMistake(type: 'string' | 'boolean', raw: string, token: Token & { kind: 'option' }, given: Map<string, string>): string | null {
  if (type === 'boolean') {
    return token.value === undefined ? null : `${raw} takes no value (got ${raw}=${printable(token.value, SHOWN_MAX)})`;
  }
  if (token.value === undefined) return `${raw} needs a value`;
  if (!token.inlineValue && token.value.length > 1 && token.value.startsWith('-')) {
    return `${raw} needs a value, and '${printable(token.value, SHOWN_MAX)}' after it looks like an option ` +
      `(for a value starting with '-', write ${raw}=VALUE)`;
  }
  const before = given.get(token.name);
  if (before !== undefined && before !== token.value) {
    return `${raw} given twice ("${printable(before, SHOWN_MAX)}" and "${printable(token.value, SHOWN_MAX)}"): give it once`;
  }
  given.set(token.name, token.value);
  return null;
}

/** Whether the user gave the option (not only its default). */
export function given(parsed: { tokens: Token[] }, option: string): boolean {
  return parsed.tokens.some((t) => t.kind === 'option' && t.name === option);
}

/**
 * The one scenario a command's arguments name, as given and as a file (an
 * example's name becomes its file); undefined if there is none and
 * `required` is false.
 */
export function scenarioArgument(
  spec: { name: string; usage: string },
  positionals: string[],
  required: boolean,
): { given: string; file: string } | undefined {
  const [scenario, ...more] = positionals;
  if (scenario === undefined) {
    if (!required) return undefined;
    throw usageError(spec, 'which scenario? (a scenario file, or the name of an example: pausekit examples)', { field: 'scenario' });
  }
  if (more.length > 0) {
    const shown = positionals.slice(0, 2).map((p) => `'${printable(p, SHOWN_MAX)}'`).join(' and ');
    const rest = positionals.length > 2 ? `, and ${positionals.length - 2} more` : '';
    throw usageError(spec, `one scenario at a time (got ${shown}${rest})`,
      { field: 'scenario', value: more[0] });
  }
  try {
    return { given: scenario, file: scenarioFile(scenario) };
  } catch (error) {
    if (error instanceof PausekitError) throw new PausekitError(`${spec.name}: ${error.message}`, error.details);
    throw error;
  }
}

/** "a", "a or b", "a, b or c". */
export function alternatives(choices: readonly string[]): string {
  return choices.length <= 1 ? (choices[0] ?? '') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** `value` if it is one of `choices`; else an error naming the option, the choices and the value. */
export function choice<const C extends readonly string[]>(command: string, option: string, value: string, choices: C): C[number] {
  if (choices.includes(value)) return value;
  throw new PausekitError(`${command}: --${option}: expected ${alternatives(choices)}, got "${printable(value, SHOWN_MAX)}"`, { field: option, value });
}

/** `text` as a positive integer; else an error naming the option and the text. */
export function positiveInteger(command: string, option: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new PausekitError(`${command}: --${option}: expected a positive integer, got "${printable(text, SHOWN_MAX)}"`, { field: option, value: text });
  }
  return n;
}

/** An error for an option that does not apply with another (or without one): named, and why. */
export function refused(command: string, option: string, why: string, value?: unknown): PausekitError {
  return new PausekitError(`${command}: ${option} ${why}`, { field: option.replace(/^--/, '').split(' ')[0], value });
}
