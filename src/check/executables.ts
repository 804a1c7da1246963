// Executables a user names for the kernel engine, asked what they are
// before anything runs on them. A pause build (any design, any mutant)
// answers `-v` with "pause.c X.Y.Z"; tini, dumb-init and catatonit answer
// `--version`. Each is asked with stdin closed and a time limit, so an
// executable that is none of them cannot hold the command up.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename } from 'node:path';
import { printable } from '../errors.ts';

/** How long an executable may take to answer a version question. */
const ANSWER_TIMEOUT_MS = 5000;

/** The inits `pausekit run --init` can tell apart, and how each names itself. */
const INIT_ANSWERS: readonly { init: string; question: string; answer: RegExp }[] = [
  { init: 'pause', question: '-v', answer: /^pause\.c \S+$/ },
  // catatonit answers in tini's words, with its own name in the version.
  { init: 'catatonit', question: '--version', answer: /^tini version \S*catatonit/ },
  { init: 'tini', question: '--version', answer: /^tini version / },
  { init: 'dumb-init', question: '--version', answer: /^dumb-init v\d/ },
];

/** Why `file` cannot be run at all (missing, a directory, not executable), or null. */
function notRunnable(file: string): string | null {
  try {
    if (statSync(file).isDirectory()) return 'it is a directory';
    accessSync(file, constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'it is not executable' : `cannot use it (${code})`;
  }
}

/** The first line `file question` prints (stdout, else stderr), or what went wrong. */
function ask(file: string, question: string): { line: string } | { error: string } {
  const result = spawnSync(file, [question], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: ANSWER_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return { error: `\`${printable(file, 100)} ${question}\` did not answer within ${ANSWER_TIMEOUT_MS / 1000} s` };
    if (code === 'ENOEXEC') return { error: `it cannot run on this machine (ENOEXEC: not an executable for ${process.arch})` };
    return { error: `it cannot run (${code ?? result.error.message})` };
  }
  const first = (text: string): string => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return { line: first(result.stdout) || first(result.stderr) };
}

/**
 * Null if `file` is a pause build; else why not, in words that follow
 * "FILE is not a pause build: ": what it printed for `-v`, or why it did not run.
 */
export function notPauseBuild(file: string): string | null {
  const why = notRunnable(file);
  if (why !== null) return why;
  const answer = ask(file, '-v');
  if ('error' in answer) return answer.error;
  if (INIT_ANSWERS[0]!.answer.test(answer.line)) return null;
  return `\`${printable(file, 100)} -v\` printed ${answer.line === '' ? 'nothing' : JSON.stringify(answer.line.slice(0, 60))}, not "pause.c <version>"`;
}

/**
 * Which init the executable at `file` is, among INIT_ANSWERS: asked the
 * question its file name points to (tini-static: tini's; pause-handlers:
 * pause's), or both questions when its name says nothing; the answer decides.
 */
export function initAt(file: string): { init: string } | { error: string } {
  const why = notRunnable(file);
  if (why !== null) return { error: why };
  const name = basename(file);
  const named = INIT_ANSWERS.find((i) => name === i.init || name.startsWith(`${i.init}-`) || name.startsWith(`${i.init}.`));
  const questions = named !== undefined ? [named.question] : ['-v', '--version'];
  const heard: string[] = [];
  for (const question of questions) {
    const answer = ask(file, question);
    if ('error' in answer) return answer;
    const found = INIT_ANSWERS.find((i) => i.question === question && i.answer.test(answer.line));
    if (found !== undefined) return { init: found.init };
    heard.push(`\`${question}\` ${answer.line === '' ? 'printed nothing' : `printed ${JSON.stringify(answer.line.slice(0, 60))}`}`);
  }
  return { error: `it does not answer as pause, tini, dumb-init or catatonit do (${heard.join('; ')})` };
}
