// pausekit's command line: a table of subcommands, each in its own module
// under src/cli/ named <name>.ts, exporting `run(args): Promise<number>`.
import { PausekitError } from '../errors.ts';

interface Command {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: 'run a scenario (default: the seed story) and print what happened', load: () => import('./run.ts') },
  diff: { summary: 'run a scenario on the kernel and the model; show where they differ', load: () => import('./diff.ts') },
  explore: { summary: 'enumerate every interleaving of a small scenario on the model', load: () => import('./explore.ts') },
  bench: { summary: 'benchmark signal latency, reaping and footprint against the peers', load: () => import('./bench.ts') },
  image: { summary: 'write the static pause as a multi-platform OCI image archive (or docker)', load: () => import('./image.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: pausekit <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "run 'pausekit <command> --help' for a command's options",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    throw new PausekitError(`unknown command '${name}'\n${usage()}`, { field: 'command', value: name });
  }
  const module = await command.load();
  return module.run(args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof PausekitError) {
    process.stderr.write(`pausekit: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
