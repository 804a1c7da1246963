// Every command a page shows runs here, as written, and prints what the page
// says it prints. The pages are README.md, ARCHITECTURE.md and docs/*.md.
//
// The convention, for whoever writes a page:
//
// - A ```console block holds commands and their output. A line starting with
//   `$ ` is a command; a command whose line ends with `\` goes on over the
//   next line. The lines up to the next `$ ` line are what it prints (stdout
//   and stderr together, as a terminal shows them).
// - Each command runs in its own `bash -c`, from a scratch directory that
//   looks like the repository root (a symlink to each of its top-level
//   entries), shared by the commands of one page in the order they appear:
//   a file one command writes (`pause.tar`, `bad.json`) is there for the next,
//   and nothing lands in the checkout's top level. `pausekit` is on PATH and
//   runs PAUSEKIT_ENTRY below, as `npx pausekit` or `npm link` would.
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
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipNow } from '../support/gate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What `pausekit` runs, relative to the repository root. */
const PAUSEKIT_ENTRY = 'src/cli/bin.mjs';

/** No command on a page may take longer (a hung one is killed with its group). */
const COMMAND_TIMEOUT_MS = 60_000;

const NOT_RUN = /^<!-- not run: \S.* -->$/;
const OUTPUT_OF = /^<!-- output of: (.+) -->$/;
const END_OF_OUTPUT = '<!-- end of output -->';
const UNAVAILABLE = /^pausekit: cannot run on the kernel: .*$/m;

/** A command a page shows: where, what, and what it prints. */
interface Command {
  page: string;
  line: number;
  command: string;
  /** The output lines as shown, `...` and `[..]` included. */
  shown: string[];
  /** Whether `shown` is a rendered region (`output of:`), not a console block. */
  region: boolean;
}

interface Page {
  name: string;
  commands: Command[];
  /** Breaches of the convention, each with its line. */
  problems: string[];
}

function pageNames(): string[] {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', 'ARCHITECTURE.md', ...docs];
}

/** Reads a page's fenced blocks and output regions into commands, and notes what breaks the convention. */
function parsePage(name: string, text: string): Page {
  const lines = text.split('\n');
  const commands: Command[] = [];
  const problems: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = lines[i]!.match(/^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/);
    const region = lines[i]!.match(OUTPUT_OF);
    if (region !== null) {
      const end = lines.indexOf(END_OF_OUTPUT, i + 1);
      if (end < 0) {
        problems.push(`${name}:${i + 1}: '<!-- output of: ... -->' without '${END_OF_OUTPUT}'`);
        break;
      }
      const shown = lines.slice(i + 1, end);
      while (shown.length > 0 && shown[0]!.trim() === '') shown.shift();
      while (shown.length > 0 && shown[shown.length - 1]!.trim() === '') shown.pop();
      commands.push({ page: name, line: i + 1, command: region[1]!, shown, region: true });
      i = end + 1;
      continue;
    }
    if (open === null) {
      i++;
      continue;
    }
    const [, indent, fence, language] = open;
    const start = i;
    const body: string[] = [];
    i++;
    while (i < lines.length && lines[i]!.trim() !== fence) body.push(lines[i++]!.slice(indent!.length));
    if (i >= lines.length) problems.push(`${name}:${start + 1}: a fenced block that never closes`);
    i++;
    const where = `${name}:${start + 1}`;
    const firstLine = body.find((l) => l.trim() !== '') ?? '';
    if (language === 'console') {
      commands.push(...parseConsole(name, start + 2, body, problems));
    } else if (language === 'sh') {
      let above = start - 1;
      while (above >= 0 && lines[above]!.trim() === '') above--;
      if (above < 0 || !NOT_RUN.test(lines[above]!.trim())) {
        problems.push(`${where}: a \`\`\`sh block needs '<!-- not run: REASON -->' on the line above it (or make it a \`\`\`console block)`);
      }
    } else if (['bash', 'shell', 'shell-session', 'zsh'].includes(language!)) {
      problems.push(`${where}: a \`\`\`${language} block: use \`\`\`console (run by this test) or \`\`\`sh (not run, with the reason)`);
    } else if (firstLine.startsWith('$ ')) {
      problems.push(`${where}: a \`\`\`${language || '(no language)'} block starting with '$ ': use \`\`\`console`);
    }
  }
  return { name, commands, problems };
}

function parseConsole(page: string, firstLineNumber: number, body: string[], problems: string[]): Command[] {
  const commands: Command[] = [];
  let current: Command | undefined;
  for (let j = 0; j < body.length; j++) {
    const text = body[j]!;
    if (text.startsWith('$ ')) {
      let command = text.slice(2);
      const line = firstLineNumber + j;
      while (command.endsWith('\\') && j + 1 < body.length) command = `${command}\n${body[++j]!}`;
      current = { page, line, command, shown: [], region: false };
      commands.push(current);
    } else if (current === undefined) {
      if (text.trim() !== '') problems.push(`${page}:${firstLineNumber + j}: a console block must start with a '$ ' command`);
    } else {
      current.shown.push(text);
    }
  }
  if (commands.length === 0) problems.push(`${page}:${firstLineNumber - 1}: a console block with no '$ ' command`);
  for (const c of commands) {
    while (c.shown.length > 0 && c.shown[c.shown.length - 1]!.trim() === '') c.shown.pop();
  }
  return commands;
}

/** `[..]` in a shown line matches any text; everything else matches itself. */
function lineMatches(shown: string, actual: string): boolean {
  const pattern = shown.trimEnd().split('[..]').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(actual.trimEnd());
}

function chunkAt(chunk: string[], actual: string[], at: number): boolean {
  return at >= 0 && at + chunk.length <= actual.length && chunk.every((line, k) => lineMatches(line, actual[at + k]!));
}

/**
 * Whether the output shown is the output printed; null if it is, else what
 * does not match. `...` lines split the shown output into chunks that must
 * appear in order, each as consecutive lines; a chunk not preceded by `...`
 * starts the output, one not followed by `...` ends it.
 */
function mismatch(shown: string[], printed: string): string | null {
  const actual = printed.split('\n').map((l) => l.trimEnd());
  while (actual.length > 0 && actual[actual.length - 1] === '') actual.pop();
  const chunks: string[][] = [[]];
  for (const line of shown) {
    if (line.trim() === '...') chunks.push([]);
    else chunks[chunks.length - 1]!.push(line);
  }
  let at = 0;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const anchoredStart = c === 0;
    const anchoredEnd = c === chunks.length - 1;
    if (chunk.length === 0) {
      if (anchoredStart && anchoredEnd && actual.length > 0) return `shows no output, but it printed ${actual.length} line(s)`;
      continue;
    }
    let found = -1;
    if (anchoredEnd) {
      const end = actual.length - chunk.length;
      if (end >= at && (!anchoredStart || end === 0) && chunkAt(chunk, actual, end)) found = end;
    } else if (anchoredStart) {
      if (chunkAt(chunk, actual, 0)) found = 0;
    } else {
      for (let k = at; k + chunk.length <= actual.length && found < 0; k++) if (chunkAt(chunk, actual, k)) found = k;
    }
    if (found < 0) {
      const first = chunk.findIndex((line) => !actual.slice(at).some((a) => lineMatches(line, a)));
      const missing = first >= 0 ? `the line ${JSON.stringify(chunk[first])} is not printed` : 'these lines are not printed in this order';
      const place = anchoredStart && anchoredEnd ? 'as the whole output' : anchoredStart ? 'at the start' : anchoredEnd ? 'at the end' : 'after the previous lines';
      const from = Math.max(0, first - 3);
      const shownAround = chunk.slice(from, first < 0 ? 8 : first + 4);
      return `${missing} (expected ${place}), in:\n  ${from > 0 ? '…\n  ' : ''}${shownAround.join('\n  ')}`;
    }
    at = found + chunk.length;
  }
  return null;
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Runs one command as a page shows it, stdout and stderr merged in order. */
function runCommand(command: string, cwd: string, bin: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `{\n${command}\n} 2>&1`], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', npm_config_update_notifier: 'false' },
    });
    let output = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, COMMAND_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, timedOut });
    });
  });
}

/** A directory that looks like the repository root, with `pausekit` on PATH beside it. */
function scratch(): { dir: string; bin: string; remove: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'pausekit-docs-'));
  const dir = join(base, 'root');
  const bin = join(base, 'bin');
  mkdirSync(dir);
  mkdirSync(bin);
  for (const entry of readdirSync(ROOT)) if (entry !== '.git') symlinkSync(join(ROOT, entry), join(dir, entry));
  writeFileSync(join(bin, 'pausekit'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, PAUSEKIT_ENTRY)}" "$@"\n`);
  chmodSync(join(bin, 'pausekit'), 0o755);
  return { dir, bin, remove: () => rmSync(base, { recursive: true, force: true }) };
}

function report(c: Command, ran: Ran, problem: string): string {
  return `${c.page}:${c.line}: $ ${c.command}\n${problem}\n--- printed (exit ${ran.code}${ran.signal ? `, ${ran.signal}` : ''}) ---\n${ran.output}`;
}

const pages = pageNames()
  .filter((name) => existsSync(join(ROOT, name)))
  .map((name) => parsePage(name, readFileSync(join(ROOT, name), 'utf8')));

test('the pages exist: README.md, ARCHITECTURE.md and a docs/ page per topic', () => {
  expect(pages.map((p) => p.name)).toEqual(expect.arrayContaining([
    'README.md', 'ARCHITECTURE.md', 'docs/cli.md', 'docs/kubernetes.md', 'docs/model.md', 'docs/performance.md', 'docs/scenario-format.md',
  ]));
});

for (const page of pages) {
  test(`${page.name} marks every shell block as run here (console) or not run, with the reason (sh)`, () => {
    expect(page.problems).toEqual([]);
  });
}

test('a shown line the command does not print, a missing line, or a failed command fails the check', async () => {
  const { dir, bin, remove } = scratch();
  try {
    const ran = await runCommand('echo one; echo two; echo three', dir, bin);
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
    expect((await runCommand('false', dir, bin)).code).toBe(1);
    // And on a page's own command: one changed line fails it.
    const first = pages.flatMap((p) => p.commands).find((c) => !c.region && c.shown.some((l) => l.trim() !== '...' && l.trim() !== ''));
    expect(first, 'a console command with output on some page').toBeDefined();
    const real = await runCommand(first!.command, dir, bin);
    const changed = first!.shown.map((l) => l);
    const k = changed.findIndex((l) => l.trim() !== '...' && l.trim() !== '');
    changed[k] = `${changed[k]} (changed)`;
    if (!UNAVAILABLE.test(real.output)) expect(mismatch(first!.shown, real.output), report(first!, real, 'as shown')).toBeNull();
    expect(mismatch(changed, real.output)).not.toBeNull();
  } finally {
    remove();
  }
});

for (const page of pages.filter((p) => p.commands.length > 0)) {
  describe(`the commands ${page.name} shows`, () => {
    let place: ReturnType<typeof scratch>;
    beforeAll(() => {
      place = scratch();
    });
    afterAll(() => place.remove());

    for (const c of page.commands) {
      const title = c.command.split('\n')[0]!.replace(/\\$/, '…');
      test(`line ${c.line}: ${title}`, async (ctx) => {
        const ran = await runCommand(c.command, place.dir, place.bin);
        const unavailable = ran.output.match(UNAVAILABLE);
        if (unavailable !== null && !c.shown.some((l) => UNAVAILABLE.test(l))) {
          return skipNow(ctx, `${c.page}:${c.line}`, unavailable[0]);
        }
        if (ran.timedOut) throw new Error(report(c, ran, `did not finish within ${COMMAND_TIMEOUT_MS} ms`));
        expect(ran.code, report(c, ran, 'the command failed (a page shows a failure with `; echo "exit $?"`)')).toBe(0);
        const problem = mismatch(c.shown, ran.output);
        expect(problem, problem === null ? '' : report(c, ran, problem)).toBeNull();
      }, COMMAND_TIMEOUT_MS + 10_000);
    }
  });
}
