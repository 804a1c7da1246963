// The pages (README.md, ARCHITECTURE.md, docs/*.md) read as a test reads
// them: the commands their blocks show with the output shown, the files
// their ```ts blocks hold, their relative links; and how a command is run
// and its output matched. test/docs/commands.test.ts runs every command in
// a clean clone of the checkout; test/package/ runs those a package user
// reads in a project that installed the packed tarball. The convention is
// stated once, at the top of test/docs/commands.test.ts.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

const NOT_RUN = /^<!-- not run: \S.* -->$/;
const CHECKOUT_ONLY = /^<!-- checkout only: (\S.*) -->$/;
const OUTPUT_OF = /^<!-- output of: (.+) -->$/;
const END_OF_OUTPUT = '<!-- end of output -->';

/** `pausekit` run as a command (at the start, after `;`, `&&`, `|` or in `$(...)`), not through npx. */
const BARE_PAUSEKIT = /(^|[;&|]|\$\()\s*pausekit(\s|$)/m;

/** What a command prints when this machine cannot run pause on the kernel. */
export const UNAVAILABLE = /^pausekit: cannot run on the kernel: .*$/m;

/** A command a page shows: where, what, and what it prints. */
export interface Command {
  page: string;
  line: number;
  command: string;
  /** The output lines as shown, `...` and `[..]` included. */
  shown: string[];
  /** Whether `shown` is a rendered region (`output of:`), not a console block. */
  region: boolean;
  /** Why the command runs only in a checkout (`<!-- checkout only: REASON -->`), if it does. */
  checkoutOnly?: string;
}

export interface Page {
  name: string;
  commands: Command[];
  /** Breaches of the convention, each with its line. */
  problems: string[];
}

/** The pages under `root`: README.md, ARCHITECTURE.md and docs/*.md, those that exist. */
export function pageNames(root: string): string[] {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', 'ARCHITECTURE.md', ...docs].filter((name) => existsSync(join(root, name)));
}

/** The `<!-- checkout only: REASON -->` marker on the nearest non-blank line above `index`, if any. */
function checkoutOnlyAbove(lines: string[], index: number): string | undefined {
  let above = index - 1;
  while (above >= 0 && lines[above]!.trim() === '') above--;
  return above >= 0 ? lines[above]!.trim().match(CHECKOUT_ONLY)?.[1] : undefined;
}

/** Reads a page's fenced blocks and output regions into commands, and notes what breaks the convention. */
export function parsePage(name: string, text: string): Page {
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
      const checkoutOnly = checkoutOnlyAbove(lines, i);
      commands.push({ page: name, line: i + 1, command: region[1]!, shown, region: true, ...(checkoutOnly ? { checkoutOnly } : {}) });
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
      const checkoutOnly = checkoutOnlyAbove(lines, start);
      const block = parseConsole(name, start + 2, body, problems);
      commands.push(...block.map((c) => (checkoutOnly ? { ...c, checkoutOnly } : c)));
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
  for (const c of commands) {
    if (BARE_PAUSEKIT.test(c.command)) {
      problems.push(`${c.page}:${c.line}: '${c.command.split('\n')[0]}': a reader types 'npx pausekit' (no 'pausekit' is on PATH in a checkout or a project)`);
    }
  }
  return { name, commands, problems };
}

/** The commands of one ```console block: `$ ` lines (with `\` continuations), each followed by its output. */
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
export function mismatch(shown: string[], printed: string): string | null {
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

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/**
 * Runs one command as a page shows it, in its own `bash -c` from `cwd`,
 * stdout and stderr merged in order; killed with its process group after
 * `timeoutMs`. `uid`/`gid` run it as another user (the caller is root).
 */
export function runCommand(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; uid?: number; gid?: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `{\n${command}\n} 2>&1`], {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...options.env, NO_COLOR: '1' },
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
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
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, timedOut });
    });
  });
}

/** A failed command's report: where the page shows it, what went wrong, what it printed. */
export function report(c: Command, ran: Ran, problem: string): string {
  return `${c.page}:${c.line}: $ ${c.command}\n${problem}\n--- printed (exit ${ran.code}${ran.signal ? `, ${ran.signal}` : ''}) ---\n${ran.output}`;
}

/**
 * The environment a page's commands run in: the caller's, without the test
 * runner's variables, without any `pausekit` on PATH (a reader types
 * `npx pausekit`), and with npm kept offline and never asked to install
 * (`npx pausekit` must find the checkout's or the project's own, or fail).
 * `npmCache` gives npx a cache of its own.
 */
export function readerEnvironment(npmCache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
    !key.startsWith('VITEST') && !key.startsWith('npm_') && key !== 'NODE_OPTIONS' && key !== 'TEST' && key !== 'INIT_CWD'));
  // Nor the test runner's node_modules/.bin (npm test puts the checkout's there).
  const path = (process.env['PATH'] ?? '').split(':')
    .filter((dir) => dir !== '' && !dir.endsWith('node_modules/.bin') && !existsSync(join(dir, 'pausekit')));
  return {
    ...env,
    PATH: path.join(':'),
    npm_config_cache: npmCache,
    npm_config_offline: 'true',
    npm_config_yes: 'false',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** Fails the check on the first command where the output shown is not the output printed. */
export function checkRan(c: Command, ran: Ran, timeoutMs: number): string | null {
  if (ran.timedOut) return report(c, ran, `did not finish within ${timeoutMs} ms`);
  if (ran.code !== 0) return report(c, ran, 'the command failed (a page shows a failure with `; echo "exit $?"`)');
  const problem = mismatch(c.shown, ran.output);
  return problem === null ? null : report(c, ran, problem);
}

/** The ```ts block of a page that follows `<!-- file: NAME ...-->`: a file a reader writes. */
export function fileBlock(root: string, page: string, name: string): string {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const marker = lines.findIndex((line) => line.startsWith(`<!-- file: ${name} `));
  if (marker < 0 || lines[marker + 1] !== '```ts') throw new Error(`${page}: no \`\`\`ts block marked <!-- file: ${name} ... -->`);
  const end = lines.indexOf('```', marker + 2);
  return lines.slice(marker + 2, end).join('\n') + '\n';
}

/** A relative link of a page: its target file (relative to the page's folder) and anchor, and where it is. */
export interface Link {
  page: string;
  line: number;
  target: string;
  anchor?: string;
}

/** A page's prose lines (outside fenced code blocks), each with its line number. */
function proseLines(text: string): { line: number; text: string }[] {
  const prose: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const open = raw.match(/^\s*(`{3,}|~{3,})/)?.[1];
    if (fence !== undefined) {
      if (raw.trim() === fence) fence = undefined;
    } else if (open !== undefined) {
      fence = open;
    } else {
      prose.push({ line: index + 1, text: raw });
    }
  });
  return prose;
}

/**
 * The relative links of a page (`[text](target)`, `[text](target#anchor)`,
 * `[text](#anchor)`, `![alt](image)`), outside code blocks and inline code;
 * absolute URLs and mail are left out.
 */
export function relativeLinks(page: string, text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    for (const match of raw.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
      const [target, anchor] = href.split('#', 2) as [string, string | undefined];
      links.push({ page, line, target, ...(anchor !== undefined ? { anchor } : {}) });
    }
  }
  return links;
}

/** The anchors a page's headings make, as GitHub spells them (lower case, punctuation out, spaces to '-'). */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const { text: raw } of proseLines(text)) {
    const heading = raw.match(/^#{1,6}\s+(.*?)\s*#*\s*$/)?.[1];
    if (heading === undefined) continue;
    const base = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/**
 * A clean clone of the checkout at `root` in `dir`: every file git tracks,
 * or would (untracked but not ignored), as the working tree has it; nothing
 * built, no node_modules. What a reader gets from `git clone`, with the
 * changes not yet committed.
 */
export function cloneCheckout(root: string, dir: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0').filter((file) => file !== '');
  for (const file of new Set(files)) {
    const from = join(root, file);
    if (!existsSync(from) && !isSymlink(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    if (isSymlink(from)) symlinkSync(readlinkSync(from), join(dir, file));
    else copyFileSync(from, join(dir, file));
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
