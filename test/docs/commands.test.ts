// Every command a page shows runs here, as written, and prints what the page
// says it prints. The pages are README.md, ARCHITECTURE.md and docs/*.md.
//
// Where they run: a clean clone of the checkout (the files git tracks or
// would track, nothing built), installed as README.md says (`npm ci`, whose
// `prepare` builds everything), where `npx pausekit --help` is run once, as
// a reader would, and then rebuilt with `npm run build`: the pages' commands
// run after that rebuild. No `pausekit` is on PATH and npm is offline and
// never asked to install: `npx pausekit` finds the clone's own or fails.
// One clone serves every page (it takes about a minute to make).
//
// The convention, for whoever writes a page:
//
// - A ```console block holds commands and their output. A line starting with
//   `$ ` is a command; a command whose line ends with `\` goes on over the
//   next line. The lines up to the next `$ ` line are what it prints (stdout
//   and stderr together, as a terminal shows them).
// - A command is written as a reader types it, in a checkout or in a project
//   that installed the package: `npx pausekit ...`, never a bare `pausekit`.
// - Each command runs in its own `bash -c`, from the clone's top directory,
//   in the order the page shows them: a file one command writes
//   (`pause.tar`, `bad.json`) is there for the next. What a page's commands
//   leave in the top directory is removed after its last one.
// - The command must exit 0. To show a failure, end it with
//   `; echo "exit $?"`: the status then is part of the output it is checked on.
// - The output shown must be the output printed, line for line (trailing
//   blanks ignored), with two ways to leave things out:
//     `...` alone on a line   stands for any number of lines (none included)
//     `[..]` inside a line    stands for any text within that line
//   Use them for what varies (digests, sizes of a build, timings, seeds) and
//   to cut long output short: a long output shows at least its first line
//   and then `...`. A command shown with no output must print nothing.
// - A region between `<!-- output of: COMMAND -->` and `<!-- end of output -->`
//   (rendered Markdown, such as the tables in docs/performance.md) must be
//   exactly what COMMAND prints: the page shows the figures of a saved run,
//   and the test checks they are that run's.
// - `<!-- checkout only: REASON -->` on the line above a ```console block or
//   an `output of:` region says its commands need the checkout (its sources,
//   its saved runs, a build of its own). They run here; test/package/, which
//   runs README.md's and docs/library.md's commands in a project that
//   installed the package, leaves them out.
// - A ```sh block holds commands this test cannot run (npm install, npm test
//   itself, podman, kubectl, a five-minute benchmark). Each one follows, on
//   the line just above its fence, `<!-- not run: REASON -->`. Keep them few.
// - Shell in any other block (```bash, ```shell, or a ```text block starting
//   with `$ `) is an error: the page must say which of the two it means.
// - Commands named in prose, in `inline code`, are names, not runs: what a
//   reader is meant to copy goes in a block.
// - If the machine cannot run pause on the kernel (no root, no user
//   namespaces), a command whose output says `pausekit: cannot run on the
//   kernel: ...` while the page does not show that line is skipped with
//   that reason.
//
// The parser and the matching are in test/docs/pages.ts, shared with
// test/package/.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipNow } from '../support/gate.ts';
import { UNAVAILABLE, checkRan, cloneCheckout, mismatch, pageNames, parsePage, readerEnvironment, report, runCommand, type Ran } from './pages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** No command on a page may take longer (a hung one is killed with its group). */
const COMMAND_TIMEOUT_MS = 60_000;
/** Copying, installing and building the clone twice. */
const CLONE_TIMEOUT_MS = 600_000;

const pages = pageNames(ROOT).map((name) => parsePage(name, readFileSync(join(ROOT, name), 'utf8')));

/** Runs a setup command in the clone; its output on failure. */
function setup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, encoding: 'utf8', timeout: CLONE_TIMEOUT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: `${stdout}${stderr}` });
    });
  });
}

async function mustSetup(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await setup(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`in the clone ${cwd}: ${command} ${args.join(' ')} failed (exit ${result.code}):\n${result.out}`);
}

test('the pages exist: README.md, ARCHITECTURE.md and a docs/ page per topic', () => {
  expect(pages.map((p) => p.name)).toEqual(expect.arrayContaining([
    'README.md', 'ARCHITECTURE.md', 'docs/cli.md', 'docs/cli-tools.md', 'docs/pause.md', 'docs/kubernetes.md', 'docs/model.md', 'docs/performance.md', 'docs/scenario-format.md',
  ]));
});

for (const page of pages) {
  test(`${page.name} marks every shell block as run here (console) or not run, with the reason (sh), and writes npx pausekit`, () => {
    expect(page.problems).toEqual([]);
  });
}

test('the parser refuses a bare pausekit command and reads the checkout-only marker', () => {
  const page = parsePage('page.md', [
    '```console', '$ pausekit --help', 'usage', '$ "$(pausekit which pause)" -v', '$ "$(npx pausekit which pause)" -v', '```',
    '<!-- checkout only: it reads the saved runs -->', '```console', '$ npx pausekit bench --from x.json', '```',
  ].join('\n'));
  expect(page.problems).toEqual([
    expect.stringMatching(/^page\.md:2: 'pausekit --help': a reader types 'npx pausekit'/),
    expect.stringMatching(/^page\.md:4: '"\$\(pausekit which pause\)" -v': a reader types 'npx pausekit'/),
  ]);
  expect(page.commands.map((c) => c.checkoutOnly)).toEqual([undefined, undefined, undefined, 'it reads the saved runs']);
});

test('a shown line the command does not print, a missing line, or a failed command fails the check', async () => {
  const env = readerEnvironment(join(tmpdir(), 'unused-npm-cache'));
  const ran = await runCommand('echo one; echo two; echo three', { cwd: tmpdir(), env, timeoutMs: COMMAND_TIMEOUT_MS });
  expect(ran.code).toBe(0);
  expect(mismatch(['one', 'two', 'three'], ran.output)).toBeNull();
  expect(mismatch(['one', '...'], ran.output)).toBeNull();
  expect(mismatch(['...', 'three'], ran.output)).toBeNull();
  expect(mismatch(['one', 't[..]o', 'three'], ran.output)).toBeNull();
  expect(mismatch(['one', 'two', 'four'], ran.output)).toMatch(/"four" is not printed/);
  expect(mismatch(['one', 'three'], ran.output)).not.toBeNull();
  expect(mismatch(['one', 'two'], ran.output)).not.toBeNull();
  expect(mismatch(['two', '...'], ran.output)).not.toBeNull();
  expect(mismatch(['...', 'three', 'two'], ran.output)).not.toBeNull();
  expect(mismatch([], ran.output)).not.toBeNull();
  expect((await runCommand('false', { cwd: tmpdir(), env, timeoutMs: COMMAND_TIMEOUT_MS })).code).toBe(1);
  // No pausekit on the readers' PATH: a page that wrote a bare `pausekit` would fail.
  expect((await runCommand('command -v pausekit', { cwd: tmpdir(), env, timeoutMs: COMMAND_TIMEOUT_MS })).code).toBe(1);
});

describe('in a clean clone of the checkout, installed, run once and rebuilt', () => {
  let base = '';
  let checkout = '';
  let env: NodeJS.ProcessEnv = {};
  /** `npx pausekit --help` right after `npm ci`, before the rebuild. */
  let firstHelp: { code: number; out: string } = { code: -1, out: '' };

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'pausekit-docs-'));
    checkout = join(base, 'checkout');
    mkdirSync(checkout);
    cloneCheckout(ROOT, checkout);
    env = readerEnvironment(join(base, 'npm-cache'));
    // npm ci takes its packages from the machine's npm cache (offline if it can).
    const installEnv: NodeJS.ProcessEnv = { ...env, npm_config_prefer_offline: 'true' };
    delete installEnv['npm_config_cache'];
    delete installEnv['npm_config_offline'];
    await mustSetup('npm', ['ci'], checkout, installEnv);
    firstHelp = await setup('npx', ['pausekit', '--help'], checkout, env);
    await mustSetup('npm', ['run', 'build'], checkout, env);
  }, CLONE_TIMEOUT_MS);

  afterAll(() => {
    if (base !== '') rmSync(base, { recursive: true, force: true });
  });

  test('npx pausekit runs after npm install, and still after npm run build: the build leaves its bin executable', async () => {
    expect(firstHelp.code, firstHelp.out).toBe(0);
    const bin = (JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['pausekit']!;
    expect((statSync(join(checkout, bin)).mode & 0o111).toString(8), `${bin} after npm run build`).toBe('111');
    const again = await runCommand('npx pausekit --help', { cwd: checkout, env, timeoutMs: COMMAND_TIMEOUT_MS });
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/^usage: pausekit /);
  });

  test("one changed line of a page's own command fails the check", async () => {
    const first = pages.flatMap((p) => p.commands).find((c) => !c.region && c.shown.some((l) => l.trim() !== '...' && l.trim() !== ''));
    expect(first, 'a console command with output on some page').toBeDefined();
    const real = await runCommand(first!.command, { cwd: checkout, env, timeoutMs: COMMAND_TIMEOUT_MS });
    const changed = [...first!.shown];
    const k = changed.findIndex((l) => l.trim() !== '...' && l.trim() !== '');
    changed[k] = `${changed[k]} (changed)`;
    if (!UNAVAILABLE.test(real.output)) expect(mismatch(first!.shown, real.output), report(first!, real, 'as shown')).toBeNull();
    expect(mismatch(changed, real.output)).not.toBeNull();
  });

  for (const page of pages.filter((p) => p.commands.length > 0)) {
    describe(`the commands ${page.name} shows`, () => {
      let before = new Set<string>();
      beforeAll(() => {
        before = new Set(readdirSync(checkout));
      });
      afterAll(() => {
        for (const entry of readdirSync(checkout)) if (!before.has(entry)) rmSync(join(checkout, entry), { recursive: true, force: true });
      });

      for (const c of page.commands) {
        const title = c.command.split('\n')[0]!.replace(/\\$/, '…');
        test(`line ${c.line}: ${title}`, async (ctx) => {
          const ran: Ran = await runCommand(c.command, { cwd: checkout, env, timeoutMs: COMMAND_TIMEOUT_MS });
          const unavailable = ran.output.match(UNAVAILABLE);
          if (unavailable !== null && !c.shown.some((l) => UNAVAILABLE.test(l))) {
            return skipNow(ctx, `${c.page}:${c.line}`, unavailable[0]);
          }
          const problem = checkRan(c, ran, COMMAND_TIMEOUT_MS);
          expect(problem, problem ?? '').toBeNull();
        }, COMMAND_TIMEOUT_MS + 10_000);
      }
    });
  }
});
