// Whatever arguments a `pausekit` command gets, it prints its usage (exit
// 0), does its work, or stops with a PausekitError: one line naming the
// command and what was wrong (followed by nothing but the command's usage,
// or, for a scenario that is neither a file nor an example, the examples'
// names), exit 2; never another exception, so never a stack trace. Options
// that do not apply together are among the mistakes: each command's refusals
// are reached, and counted.
//
// The commands run in this process, their work replaced by a marker: the
// kernel runs (run, diff), the exploration and the benchmark throw
// REACHED_WORK once the arguments are accepted, and an image is written
// only inside this test's directory. A few of the same cases then run
// through the real `pausekit` executable, whose output must be the line
// predicted here. PAUSEKIT_FUZZ_ARGV_RUNS sets the cases per command
// (default 2000); PAUSEKIT_SEED replays a run.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { PausekitError } from '../../src/errors.ts';
import { examples } from '../../src/scenario/catalog.ts';
import { findFailingInput, SEED } from '../support/property.ts';
import { COMMAND_MODULES } from './capture.ts';

const RUNS = Number(process.env['PAUSEKIT_FUZZ_ARGV_RUNS'] ?? 2000);
const FILE = 'test/cli/fuzz-arguments.test.ts';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'pausekit-argv-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Thrown instead of the real work once a command has accepted its arguments. */
const { ReachedWork } = vi.hoisted(() => ({ ReachedWork: class ReachedWork extends Error {} }));

vi.mock('../../src/engines/kernel/engine.ts', async (original) => ({
  ...(await original<typeof import('../../src/engines/kernel/engine.ts')>()),
  runKernel: () => Promise.reject(new ReachedWork('runKernel')),
}));
vi.mock('../../src/check/explore.ts', async (original) => ({
  ...(await original<typeof import('../../src/check/explore.ts')>()),
  explore: () => Promise.reject(new ReachedWork('explore')),
}));
vi.mock('../../src/bench/run.ts', async (original) => ({
  ...(await original<typeof import('../../src/bench/run.ts')>()),
  runBench: () => Promise.reject(new ReachedWork('runBench')),
}));
vi.mock('../../src/image/oci.ts', async (original) => {
  const real = await original<typeof import('../../src/image/oci.ts')>();
  return {
    ...real,
    // Random arguments must not write all over the machine, nor over the
    // fixtures: only into this test's out/ directory.
    writeFileAtomic: (file: string, bytes: Buffer) => {
      if (!file.startsWith(`${DIR}/out/`) || file.includes('/../')) throw new ReachedWork(`writeFileAtomic ${file}`);
      real.writeFileAtomic(file, bytes);
    },
  };
});

// ---- Fixtures: files the arguments may name ------------------------------

const EXAMPLE = join(ROOT, 'src/scenario/examples/sigint.json');
const F = {
  good: join(DIR, 'good.json'),
  init: join(DIR, 'init.json'),
  bad: join(DIR, 'bad.json'),
  latin1: join(DIR, 'latin1.json'),
  missing: join(DIR, 'missing.json'),
  dir: join(DIR, 'a-dir'),
  results: join(DIR, 'results.json'),
  partial: join(DIR, 'partial-results.json'),
  out: join(DIR, 'out', 'out.tar'),
  outMissingDir: join(DIR, 'out', 'nowhere', 'out.tar'),
  pause: join(ROOT, 'build/native/pause'),
};
copyFileSync(EXAMPLE, F.good);
copyFileSync(join(ROOT, 'src/scenario/examples/init-expect.json'), F.init);
writeFileSync(F.bad, '{"version": 1, "steps": [{"event": "spawn"}]}');
writeFileSync(F.latin1, Buffer.from('{"version": 1, "description": "caf\xe9", "steps": []}', 'latin1'));
mkdirSync(F.dir);
mkdirSync(join(DIR, 'out'));
copyFileSync(join(ROOT, 'bench/results/results.json'), F.results);
writeFileSync(F.partial, JSON.stringify({ version: 1, machine: {}, skipped: [] }));

// ---- The generator ---------------------------------------------------------

const COMMANDS = ['run', 'diff', 'explore', 'bench', 'image', 'examples', 'which'] as const;
type Command = (typeof COMMANDS)[number];

/** Each command's options, as its --help lists them. */
const OPTIONS: Record<Command, string[]> = {
  run: ['engine', 'design', 'wasi', 'init', 'json'],
  diff: ['design', 'binary', 'wasi'],
  explore: ['design', 'mutant', 'max-states', 'wasi', 'json'],
  bench: ['quick', 'json', 'out', 'only', 'rounds', 'seed', 'realtime', 'from', 'markdown'],
  image: ['out', 'format', 'platform', 'binary', 'design', 'name', 'builds'],
  examples: [],
  which: ['design', 'arch', 'mutant'],
};

/**
 * What each command must be seen refusing, at least once in a full run: the
 * options that do not apply together, and the mistakes every command shares.
 */
const REFUSALS: Record<Command, RegExp[]> = {
  run: [/--wasi applies to the model only/, /--init .* runs on the kernel only/, /--init .* needs a scenario in init mode/,
    /--design picks one of pausekit's own pause builds/, /--init \/.*: not an init pausekit knows/],
  diff: [/--binary needs --design/, /--binary .* is not a pause build/],
  explore: [/--mutant \w+ would change nothing here/],
  bench: [],
  image: [/--binary and --\w+ both say what goes in the image/],
  examples: [/unexpected argument/],
  which: [/--\w+ does not apply to/, /--mutant needs --design/],
};
const EVERY_COMMAND = [/unknown option/, /needs a value/, /given twice/, /takes no value/];

/** Options that go together, or do not: mixed with the random ones, so that each refusal is reached. */
const COMBINATIONS: Record<Command, string[][]> = {
  run: [['--engine', 'model', '--init', 'tini'], ['--init', 'catatonit', '--design', 'handlers'], ['--init', '/usr/bin/tini', '--design', 'sigwait'],
    ['--engine', 'kernel', '--wasi', 'wasmer'], ['--init', 'pause'], ['--engine', 'model', '--wasi', 'node']],
  diff: [['--design', 'sigwait', '--binary', '/bin/true'], ['--design', 'handlers', '--binary', join(ROOT, 'build/native/pause-handlers')]],
  explore: [['--design', 'autoreap', '--mutant', 'REAP_ONCE'], ['--mutant', 'FORWARD_NOTHING'], ['--mutant', 'NO_TERM'], ['--mutant', 'WRONG_CODE']],
  bench: [['--from', F.results, '--only', 'sizes']],
  image: [['--binary', F.pause, '--builds', F.dir], ['--binary', F.pause, '--design', 'handlers'], ['--format', 'docker', '--platform', 'linux/amd64,linux/arm64']],
  examples: [],
  which: [['model', '--arch', 'arm64'], ['driver', '--design', 'sigwait'], ['pause', '--mutant', 'REAP_ONCE'], ['pause', '--arch', 'arm64', '--design', 'handlers']],
};

/** Values any option may get: numbers of every sort, odd text, the fixtures. */
const anyValueArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('0', '1', '-1', '2', '1.5', '1e3', '1e400', 'NaN', 'Infinity', '0x10', '99999999999999999999', ' 3', '') },
  { weight: 3, arbitrary: fc.constantFrom(F.good, F.init, F.bad, F.latin1, F.missing, F.dir, F.results, F.partial, F.out, F.outMissingDir, F.pause, EXAMPLE) },
  { weight: 2, arbitrary: fc.constantFrom('a\nb', 'tab\there', '\u001b[31mred', 'é', '-', '--', '=', 'x=y', '\u007f') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => s.replace(/^\//, '')) },
);

/** Each option's own values, right ones and near misses. */
const VALUES: Record<string, string[]> = {
  engine: ['kernel', 'model', 'model', 'Model', 'qemu'],
  design: ['sigwait', 'handlers', 'autoreap', 'all', 'both', 'Sigwait', 'pause'],
  binary: [F.pause, F.missing, F.dir, F.good, '/bin/true'],
  mutant: ['REAP_ONCE', 'NO_TERM', 'NO_CHLD', 'FORWARD_NOTHING', 'EXIT_ZERO', 'reap_once', 'NONE'],
  wasi: ['node', 'wasmer', 'wasmtime'],
  init: ['pause', 'tini', 'catatonit', 'systemd', '/usr/bin/catatonit', '/bin/true', F.missing],
  arch: ['amd64', 'arm64', 's390x', 'mips', 'x86_64'],
  platform: ['linux/amd64', 'linux/arm64,linux/amd64', 'linux/mips', 'linux/arm/v7'],
  builds: [join(ROOT, 'build/native'), F.dir, F.missing],
  'max-states': ['1', '10', '200000', '0', '-5', '1e9', '3.5'],
  out: [F.out, F.outMissingDir, F.dir, join(DIR, 'out')],
  only: ['latency', 'reaping,model', 'footprint,', 'all', ',', 'model,model'],
  rounds: ['1', '3', '0', '-3', '1e12'],
  seed: ['1', '42', '0', '-1', '4294967296'],
  from: [F.results, F.partial, F.bad, F.missing, F.dir, F.latin1],
  format: ['oci', 'docker', 'OCI', 'rkt'],
  name: ['localhost/p:1', 'example.com/pause', 'Upper/Case', 'a:b:c', 'x@sha256:00', ''],
};

const valueOf = (option: string): fc.Arbitrary<string> =>
  VALUES[option] === undefined ? anyValueArb : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VALUES[option]) }, { weight: 1, arbitrary: anyValueArb });

/** Arguments that are not options: mostly scenario files and examples' names (which: what to find). */
const positionalArb = (command: Command) => fc.oneof(
  {
    weight: 3,
    arbitrary: command === 'which'
      ? fc.constantFrom('pause', 'driver', 'model', 'Pause', 'tini')
      : fc.constantFrom(F.good, F.init, EXAMPLE, F.bad, F.latin1, F.missing, F.dir, 'sigint', 'coalesced-sigchld', 'init-expect', 'no-such-example'),
  },
  { weight: 1, arbitrary: anyValueArb },
);

/** One argument: an option of this command or of another, with or without a value, a value, junk. */
function tokenArb(command: Command): fc.Arbitrary<string[]> {
  const any = fc.constantFrom(...new Set(Object.values(OPTIONS).flat()));
  const own = OPTIONS[command].length > 0 ? fc.constantFrom(...OPTIONS[command]) : any;
  return fc.oneof(
    { weight: 5, arbitrary: own.chain((o) => valueOf(o).map((v) => [`--${o}`, v])) },
    { weight: 3, arbitrary: own.map((o) => [`--${o}`]) },
    { weight: 2, arbitrary: own.chain((o) => valueOf(o).map((v) => [`--${o}=${v}`])) },
    { weight: 1, arbitrary: any.map((o) => [`--${o}`]) },
    { weight: 3, arbitrary: positionalArb(command).map((v) => [v]) },
    { weight: 1, arbitrary: fc.constantFrom('--help', '-h', '-hh', '--help=1', '-x', '-', '--', '---', '--no-json', '-json', '--e', '-e').map((t) => [t]) },
    ...(COMBINATIONS[command].length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...COMBINATIONS[command]) }] : []),
  );
}

interface Case {
  command: Command;
  argv: string[];
}

const caseArb = (command: Command): fc.Arbitrary<Case> =>
  fc.array(tokenArb(command), { maxLength: 5 }).map((tokens) => ({ command, argv: tokens.flat() }));

// ---- Running one case --------------------------------------------------------

type Outcome =
  | { kind: 'exit'; code: number; stdout: string }
  | { kind: 'work' }
  | { kind: 'error'; error: PausekitError }
  | { kind: 'crash'; error: unknown };

const USAGE = new Map<Command, string>();
const MODULES = COMMAND_MODULES;

/** The examples' names, as a scenario that is neither a file nor an example lists them. */
const EXAMPLE_NAMES = examples().map((e) => e.name);

async function play(c: Case): Promise<Outcome> {
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const writeErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const module = await MODULES[c.command]!();
    return { kind: 'exit', code: await module.run([...c.argv]), stdout };
  } catch (error) {
    if (error instanceof ReachedWork) return { kind: 'work' };
    if (error instanceof PausekitError) return { kind: 'error', error };
    return { kind: 'crash', error };
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
  }
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why an outcome breaks the rule, or null. */
function wrong(c: Case, outcome: Outcome): string | null {
  switch (outcome.kind) {
    case 'crash': {
      const e = outcome.error;
      return `${c.command} threw ${e instanceof Error ? `${e.name}, not a PausekitError:\n${e.stack}` : String(e)}`;
    }
    case 'work':
      return null;
    case 'exit':
      if (outcome.code !== 0 && outcome.code !== 1) return `${c.command} returned exit code ${outcome.code}`;
      if (c.argv.some((a) => a === '--help' || a === '-h') && !outcome.stdout.startsWith(`usage: pausekit ${c.command}`)) {
        return `${c.command} was asked for --help and printed ${JSON.stringify(outcome.stdout.slice(0, 200))}`;
      }
      return null;
    case 'error': {
      const { message, exitCode } = outcome.error;
      const [first, ...rest] = message.split('\n');
      if (exitCode !== 2) return `exit code ${exitCode}, not 2, for ${JSON.stringify(message)}`;
      if (first === undefined || first === '' || CONTROL.test(first)) return `the first line is not one plain line: ${JSON.stringify(message)}`;
      if (first.length > 300) return `the message is ${first.length} characters long: ${JSON.stringify(first.slice(0, 300))}...`;
      // What follows the line, if anything, is the command's usage, or the examples' names: nothing else.
      if (rest.length > 0 && first.endsWith('the examples are:')) {
        if (rest.some((line) => !line.startsWith('  ') || line.length > 100) || rest.join(' ').trim().split(/,\s+/).join() !== EXAMPLE_NAMES.join()) {
          return `after the first line come lines that are not the examples' names: ${JSON.stringify(message)}`;
        }
      } else if (rest.length > 0) {
        const usage = rest.join('\n');
        if (!usage.startsWith(`usage: pausekit ${c.command}`)) return `after the first line comes something that is not the usage: ${JSON.stringify(message)}`;
        const known = USAGE.get(c.command);
        if (known !== undefined && usage !== known) return `the usage after the error is not the command's usage: ${JSON.stringify(message)}`;
        USAGE.set(c.command, usage);
      }
      return null;
    }
  }
}

const seen: Record<Outcome['kind'], number> = { exit: 0, work: 0, error: 0, crash: 0 };
/** Each command's error messages, to check that its refusals were reached. */
const messages = new Map<Command, string[]>(COMMANDS.map((c) => [c, []]));
/** Cases that end before any work: replayed through the real executable below. */
const replayable: { c: Case; outcome: Outcome }[] = [];

describe('every pausekit command', () => {
  for (const command of COMMANDS) {
    test(`prints its usage, works, or names the mistake in one line, for ${RUNS} random argument lists to ${command} (seed ${SEED})`, async () => {
      const started = performance.now();
      const counts: Record<Outcome['kind'], number> = { exit: 0, work: 0, error: 0, crash: 0 };
      const { report, runs } = await findFailingInput({
        name: `fuzz-arguments-${command}`,
        testFile: FILE,
        arbitrary: caseArb(command),
        numRuns: RUNS,
        runsVariable: 'PAUSEKIT_FUZZ_ARGV_RUNS',
        failsWith: async (c) => {
          const outcome = await play(c);
          counts[outcome.kind]++;
          seen[outcome.kind]++;
          if (outcome.kind === 'error') messages.get(command)!.push(outcome.error.message.split('\n')[0]!);
          const why = wrong(c, outcome);
          if (why === null && (outcome.kind === 'error' || (outcome.kind === 'exit' && c.argv.includes('--help')))) {
            if (replayable.filter((r) => r.c.command === command).length < 50) replayable.push({ c, outcome });
          }
          return why;
        },
        describe: (c) => `pausekit ${c.command} ${JSON.stringify(c.argv)}`,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`fuzz-arguments ${command}: ${runs} cases in ${seconds} s (seed ${SEED}): ` +
        `${counts.error} errors, ${counts.exit} exits, ${counts.work} reached the work`);
      expect(report).toBeNull();
      if (runs >= 500) {
        // Both ends are reached: a generator that only makes usage errors proves little.
        expect(counts.error).toBeGreaterThan(runs / 10);
        expect(counts.exit + counts.work).toBeGreaterThan(runs / 100);
        // And the refusals: each one this command has, and the mistakes every command shares.
        const said = messages.get(command)!;
        for (const refusal of [...REFUSALS[command], ...(command === 'examples' ? [] : EVERY_COMMAND)]) {
          expect(said.some((m) => refusal.test(m)), `no case of ${command} was refused with ${refusal} (seed ${SEED})`).toBe(true);
        }
      }
    }, 120_000);
  }
});

describe('the pausekit executable', () => {
  const BIN = join(ROOT, 'src/cli/bin.mjs');
  const pausekit = (argv: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 30_000, cwd: DIR }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });

  test(`prints the same one line and exit code as the command did in process, for 8 of the cases above (seed ${SEED})`, async () => {
    const chosen = fc.sample(fc.shuffledSubarray(replayable, { minLength: Math.min(8, replayable.length), maxLength: 8 }), { seed: SEED, numRuns: 1 })[0]!;
    expect(chosen.length).toBeGreaterThan(0);
    for (let i = 0; i < chosen.length; i += 2) {
      await Promise.all(chosen.slice(i, i + 2).map(async ({ c, outcome }) => {
        const result = await pausekit([c.command, ...c.argv]);
        const what = `pausekit ${c.command} ${JSON.stringify(c.argv)} (seed ${SEED}; replay: PAUSEKIT_SEED=${SEED} npx vitest run ${FILE})`;
        if (outcome.kind === 'error') {
          expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }, what)
            .toEqual({ code: 2, stdout: '', stderr: `pausekit: ${outcome.error.message}\n` });
        } else if (outcome.kind === 'exit') {
          expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }, what).toEqual({ code: outcome.code, stdout: outcome.stdout, stderr: '' });
        }
      }));
    }
  }, 60_000);

  test('names an unknown command, or a missing one, and shows its usage', async () => {
    const cases: [string[], number, RegExp][] = [
      [['frobnicate'], 2, /^pausekit: unknown command 'frobnicate'\nusage: pausekit <command>/],
      [['a\nb'], 2, /^pausekit: unknown command 'a\\nb'\nusage: pausekit <command>/],
      [[''], 2, /^pausekit: unknown command ''\nusage: pausekit <command>/],
      [['--frob'], 2, /^pausekit: unknown option '--frob' \(a command comes first\)\nusage: pausekit <command>/],
      [['help', 'frobnicate'], 2, /^pausekit: unknown command 'frobnicate'\nusage: pausekit <command>/],
      [[], 2, /^pausekit: which command\?\nusage: pausekit <command>/],
    ];
    await Promise.all(cases.map(async ([argv, code, stderr]) => {
      const result = await pausekit(argv);
      expect(result.code, JSON.stringify(argv)).toBe(code);
      expect(result.stderr, JSON.stringify(argv)).toMatch(stderr);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }));
  }, 60_000);
});
