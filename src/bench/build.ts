// Where the benchmark builds what it measures, and the builds themselves.
// Nothing is ever written inside pausekit's own directory unless it is a
// checkout: an installed package (node_modules/pausekit) may belong to
// another user, and an uninstall should leave nothing behind. The work
// directory is the checkout's build/ when run from a checkout, else the
// user's cache directory ($XDG_CACHE_HOME/pausekit, ~/.cache/pausekit), or
// what --work-dir names. Each build says in one line what it needs when it
// cannot run (a C compiler, musl-gcc, the C sources), never a page of make.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PausekitError, printable } from '../errors.ts';

/** pausekit's own directory: a checkout, or the installed package. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Whether ROOT is a checkout (its C sources, not under node_modules), where build/ is ours to write. */
export const CHECKOUT = !ROOT.split(sep).includes('node_modules') && existsSync(join(ROOT, 'native', 'pause.c'));

/** The saved results of a checkout: figures written here need a quiet machine (see the bench command). */
export const SAVED_RESULTS = join(ROOT, 'bench', 'results');

/** The work directory when --work-dir is not given. */
export function defaultWorkDir(): string {
  if (CHECKOUT) return join(ROOT, 'build');
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'pausekit');
}

/** The benchmark's own programs under a work directory (the checkout's build/bench by default). */
export const benchDir = (work: string): string => join(work, 'bench');

/**
 * A path as results record it: relative to pausekit's directory when it is
 * inside it, `~/...` under the home directory, else as it is (a peer on PATH).
 */
export function shownPath(path: string): string {
  const inRoot = relative(ROOT, path);
  if (inRoot !== '' && !inRoot.startsWith('..') && !isAbsolute(inRoot)) return inRoot;
  const inHome = relative(homedir(), path);
  return inHome !== '' && !inHome.startsWith('..') && !isAbsolute(inHome) ? `~/${inHome}` : path;
}

/** Where a command lives on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const path = join(dir, command);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A build: the file made, or one line saying why it could not be. */
export type Built = { path: string; reason?: undefined } | { path?: undefined; reason: string };

/** Runs a build command; undefined, or the last line it printed on stderr (one line). */
function run(command: string, args: string[]): string | undefined {
  try {
    execFileSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    const last = stderr.split('\n').map((line) => line.trim()).filter(Boolean).at(-1);
    return printable(last ?? (error as Error).message, 160);
  }
}

/** mkdir -p of a work directory, or one line saying why not. */
function makeDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    return undefined;
  } catch (error) {
    return `cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): give a directory you own with --work-dir`;
  }
}

/** Whether target exists and is newer than every source. */
function upToDate(target: string, sources: string[]): boolean {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs <= built);
}

/**
 * Builds into a private directory beside the finals, then renames each file
 * into place: concurrent runs (tests run in parallel) never see a
 * half-written binary. `build` gets the private directory and returns an
 * error line or undefined.
 */
function buildAtomically(finals: string[], build: (dir: string) => string | undefined): string | undefined {
  const problem = makeDir(dirname(finals[0]!));
  if (problem !== undefined) return problem;
  const dir = mkdtempSync(join(dirname(finals[0]!), '.tmp-'));
  try {
    const error = build(dir);
    if (error !== undefined) return error;
    for (const file of finals) renameSync(join(dir, basename(file)), file);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a build from C sources needs and lacks: one line, or undefined. */
function lacking(sources: string[], tools: string[]): string | undefined {
  const absent = sources.filter((file) => !existsSync(file));
  if (absent.length > 0) {
    return `needs pausekit's C sources (${absent.map((file) => relative(ROOT, file)).join(', ')}), which this installation does not have: run it from a checkout`;
  }
  const missing = tools.filter((tool) => which(tool) === undefined);
  if (missing.length === 0) return undefined;
  const hint = missing.includes('musl-gcc') ? ' (apt-get install musl-tools)' : ' (a C compiler: apt-get install build-essential)';
  return `needs ${missing.join(' and ')}${hint}`;
}

/** Every file of native/sys/, the system-call layer floor.c and init-floor.c share with pause.c. */
function sysHeaders(): string[] {
  const dir = join(ROOT, 'native', 'sys');
  if (!existsSync(dir)) return [join(dir, 'sys.h')];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name)).filter((file) => statSync(file).isFile());
}

/** The programs bench/Makefile builds that the benchmark runs. */
export type BenchTool = 'harness' | 'floor' | 'init-floor' | 'soak' | 'pause-0.1.0';

/** One of bench/'s programs, built into WORK/bench/ when missing or older than its sources. */
export function benchTool(work: string, tool: BenchTool): Built {
  const final = join(benchDir(work), tool);
  const sources = [join(ROOT, 'bench', `${tool}.c`), join(ROOT, 'bench', 'Makefile'), ...(tool.includes('floor') ? sysHeaders() : [])];
  const missing = lacking(sources, ['make', 'cc']);
  if (missing !== undefined) return existsSync(final) ? { path: final } : { reason: missing };
  if (upToDate(final, sources)) return { path: final };
  const error = buildAtomically([final], (dir) => run('make', ['-s', '-C', join(ROOT, 'bench'), `OUT=${dir}`, join(dir, tool)]));
  return error === undefined ? { path: final } : { reason: `cannot build bench/${tool}.c: ${error}` };
}

/** pause.c's sigwait and handlers designs built static with musl or glibc, into WORK/bench/<libc>/. */
export function pauseWithLibc(work: string, libc: 'musl' | 'glibc'): { pause: string; handlers: string } | { reason: string } {
  const dir = join(benchDir(work), libc);
  const finals = [join(dir, 'pause'), join(dir, 'pause-handlers')];
  const sources = [join(ROOT, 'native', 'pause.c'), join(ROOT, 'native', 'Makefile'), ...sysHeaders()];
  const missing = lacking(sources, ['make', libc === 'musl' ? 'musl-gcc' : 'cc']);
  if (missing !== undefined) return { reason: missing };
  if (!finals.every((file) => upToDate(file, sources))) {
    const error = buildAtomically(finals, (tmp) =>
      run('make', ['-s', '-C', join(ROOT, 'native'), `OUT=${tmp}`, `LIBC=${libc}`, join(tmp, 'pause'), join(tmp, 'pause-handlers')]));
    if (error !== undefined) return { reason: `cannot build native/pause.c with ${libc}: ${error}` };
  }
  return { pause: finals[0]!, handlers: finals[1]! };
}

/** The Kubernetes pause.c: a file given by --k8s-pause-source or PAUSEKIT_K8S_PAUSE_SOURCE. */
export interface KubernetesSource {
  /** Where it came from, as the user named it. */
  file: string;
  /** The C source. */
  text: string;
}

/**
 * The Kubernetes pause.c in `text`: the file itself, or the first listing
 * in Markdown (a ``` block starting with `#include <signal.h>`), whose
 * preprocessor lines a formatter may have glued to the line before.
 * Undefined when it is neither.
 */
export function kubernetesPauseSource(text: string): string | undefined {
  const listing = /```[^\n]*\n(#include <signal\.h>[\s\S]*?)```/.exec(text)?.[1];
  const source = listing === undefined
    ? text
    : listing
        .replace(/(?<=\S)#(?=(include|define|ifndef|ifdef|endif|if|else)\b)/g, '\n#')
        .replace(/^(#endif)(?=\S)/gm, '$1\n');
  return source.includes('pause()') && source.includes('sigaction') && /\bmain\s*\(/.test(source) ? source : undefined;
}

/**
 * The Kubernetes pause, built static with cc (glibc) or musl-gcc as its
 * Makefile builds it (-Os -static, stripped like ours), into
 * WORK/bench/k8s-<digest of the source>/, so a changed source is rebuilt.
 */
export function kubernetesPause(work: string, source: KubernetesSource, compiler: 'cc' | 'musl-gcc', name: string): Built {
  const missing = lacking([], [compiler]);
  if (missing !== undefined) return { reason: missing };
  const digest = createHash('sha256').update(source.text).digest('hex').slice(0, 12);
  const final = join(benchDir(work), `k8s-${digest}`, name);
  if (existsSync(final)) return { path: final };
  const error = buildAtomically([final], (dir) => {
    writeFileSync(join(dir, 'pause.c'), source.text);
    return run(compiler, ['-Os', '-Wall', '-static', '-s', '-DVERSION=bench', '-o', join(dir, name), join(dir, 'pause.c')]);
  });
  return error === undefined ? { path: final } : { reason: `${compiler} cannot build ${printable(source.file, 80)}: ${error}` };
}

/** Reads the Kubernetes pause.c named by an option or the environment; bad input is an error naming the command and it. */
export function readKubernetesSource(file: string, namedBy: string, command = 'bench'): KubernetesSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PausekitError(`${command}: ${namedBy}: cannot read ${printable(file, 120)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { field: namedBy, file });
  }
  const source = kubernetesPauseSource(text);
  if (source === undefined) {
    throw new PausekitError(`${command}: ${namedBy}: ${printable(file, 120)} is not the Kubernetes pause.c (no main() calling sigaction and pause(), ` +
      'nor a Markdown listing of it)', { field: namedBy, file });
  }
  return { file, text: source };
}
