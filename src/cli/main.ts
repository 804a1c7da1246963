#!/usr/bin/env node
// pausekit's command line: a table of subcommands, each in its own module
// under src/cli/ named <name>.ts, exporting `run(args): Promise<number>`;
// `help`, `--help` and `--version` here. Every error a user can cause ends
// as one line, `pausekit: ...`, and an exit code, never a stack trace; a
// reader that goes away (`pausekit run | head -1`) ends pausekit quietly.
import { PausekitError, printable } from '../errors.ts';
import { twoColumns } from './text.ts';
import { packageVersion } from './version.ts';

interface Command {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: 'run a scenario (default: the seed story) and print what happened', load: () => import('./run.ts') },
  diff: { summary: 'run a scenario on the kernel and the model; show where they differ', load: () => import('./diff.ts') },
  explore: { summary: 'enumerate every interleaving of a small scenario on the model', load: () => import('./explore.ts') },
  conform: { summary: 'hold any init, or a sandbox pause, to the model: a row per behaviour', load: () => import('./conform.ts') },
  examples: { summary: 'list the example scenarios, which every command takes by name', load: () => import('./examples.ts') },
  which: { summary: 'print the path of a shipped binary: pause, the kernel driver, the model', load: () => import('./which.ts') },
  bench: { summary: 'benchmark signal latency, reaping and footprint against the peers', load: () => import('./bench.ts') },
  soak: { summary: 'a million orphans in waves and signal storms through pause as PID 1', load: () => import('./soak.ts') },
  image: { summary: 'write the static pause as a multi-platform OCI image archive (or docker)', load: () => import('./image.ts') },
};

const USAGE = [
  'usage: pausekit <command> [options]',
  '       pausekit help [<command>] | --help | --version',
  '',
  'commands:',
  ...twoColumns(Object.entries(COMMANDS).map(([name, c]) => [name, c.summary])),
  '',
  "run 'pausekit help <command>' (or 'pausekit <command> --help') for a command's options",
].join('\n');

/** The command of a name; an unknown one is an error followed by the usage. */
function commandNamed(name: string): Command {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command !== undefined) return command;
  const what = name.startsWith('-') ? `unknown option '${printable(name, 60)}' (a command comes first)` : `unknown command '${printable(name, 60)}'`;
  throw new PausekitError(`${what}\n${USAGE}`, { field: 'command', value: name });
}

/** `pausekit ARGS`: the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new PausekitError(`which command?\n${USAGE}`, { field: 'command' });
  if (name === '--help' || name === '-h' || (name === 'help' && (args.length === 0 || (args.length === 1 && args[0] === 'help')))) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    if (args.length > 0) throw new PausekitError(`${name} takes nothing after it (got '${printable(args[0]!, 60)}')`, { field: 'arguments', value: args });
    process.stdout.write(`pausekit ${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help') {
    if (args.length > 1) throw new PausekitError(`help: one command at a time (got ${args.length})\n${USAGE}`, { field: 'arguments', value: args });
    return (await commandNamed(args[0]!).load()).run(['--help']);
  }
  return (await commandNamed(name).load()).run(args);
}

/**
 * A reader that closed its end (EPIPE) ends pausekit at once with exit 0, as
 * most commands on a pipe do; any other failure to write is said on stderr.
 */
function endQuietlyWhenTheReaderGoes(stream: NodeJS.WriteStream, name: string): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && name === 'stdout') process.stderr.write(`pausekit: cannot write to ${name} (${error.code ?? error.message})\n`);
    process.exit(error.code === 'EPIPE' ? 0 : 2);
  });
}

endQuietlyWhenTheReaderGoes(process.stdout, 'stdout');
endQuietlyWhenTheReaderGoes(process.stderr, 'stderr');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof PausekitError)) throw error;
  process.stderr.write(`pausekit: ${error.message}\n`);
  process.exitCode = error.exitCode;
}
