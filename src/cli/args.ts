// Argument parsing for every subcommand: node:util's parseArgs in strict
// mode, with --help/-h on every command and parseArgs' own errors (unknown
// option, missing value...) turned into a PausekitError that names the
// command and is followed by the command's usage text.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PausekitError, printable } from '../errors.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** One subcommand's argument grammar. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** The subcommand's name, first in every error message: `run`. */
  name: string;
  /** Printed by --help, and after every parse error. */
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
  const options = { ...spec.options, help: HELP };
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: spec.positionals ?? false, tokens: true }) as Parsed<O>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // Lenient parse: a request for help still wins over a mistake.
    const lenient = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
    if (lenient.values.help === true) return help(spec);
    // parseArgs' own text, except where it shows what the user typed (an
    // unknown option, an unexpected argument: shown through printable) or
    // for an unknown option's hint about `--` (for a file whose name starts
    // with '-'), which only confuses a typo. Its other texts name only our
    // options but run over several lines: joined into one.
    const unknown = lenient.tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown?.kind === 'option') {
      throw usageError(spec, `Unknown option '${printable(unknown.rawName, 60)}'`, { field: 'option', value: unknown.rawName });
    }
    const positional = lenient.tokens.find((t) => t.kind === 'positional');
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional?.kind === 'positional') {
      throw usageError(spec, `Unexpected argument '${printable(positional.value, 60)}': this command takes no arguments, only options`,
        { field: 'arguments', value: positional.value });
    }
    throw usageError(spec, printable((error as Error).message.replace(/\n/g, ' ')), { field: 'arguments', value: args, reason: code });
  }
  return (parsed.values as { help?: boolean }).help === true ? help(spec) : parsed;
}

function help(spec: { usage: string }): null {
  process.stdout.write(`${spec.usage}\n`);
  return null;
}

/** "a", "a or b", "a, b or c". */
function alternatives(choices: readonly string[]): string {
  return choices.length <= 1 ? (choices[0] ?? '') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** `value` if it is one of `choices`; else an error naming the option, the choices and the value. */
export function choice<const C extends readonly string[]>(command: string, option: string, value: string, choices: C): C[number] {
  if (choices.includes(value)) return value;
  throw new PausekitError(`${command}: --${option}: expected ${alternatives(choices)}, got "${printable(value, 60)}"`, { field: option, value });
}

/** `text` as a positive integer; else an error naming the option and the text. */
export function positiveInteger(command: string, option: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new PausekitError(`${command}: --${option}: expected a positive integer, got "${printable(text, 60)}"`, { field: option, value: text });
  }
  return n;
}
