// `pausekit examples`: the example scenarios pausekit ships, by name, with
// their one-line descriptions; run, diff and explore take these names.
import { parseCommand } from './args.ts';
import { twoColumns } from './text.ts';
import { examples } from '../scenario/catalog.ts';

const USAGE = `usage: pausekit examples

Lists the example scenarios, each by the name that run, diff and explore
take in place of a file (pausekit run coalesced-sigchld), with what it shows.

  --help   this text`;

const SPEC = { name: 'examples', usage: USAGE, options: {} } as const;

export async function run(args: string[]): Promise<number> {
  if (parseCommand(SPEC, args) === null) return 0;
  process.stdout.write(`${twoColumns(examples().map((e) => [e.name, e.description]), '').join('\n')}\n`);
  return 0;
}
