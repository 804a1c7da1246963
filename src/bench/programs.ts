// The programs a benchmark run compares: the kernel's floor, pausekit's two
// designs (and the same source built with musl and glibc), the Kubernetes
// pause rebuilt from the seed post, and the peers users would pick instead;
// and, for the init-mode rows, the smallest correct init (bench/init-floor.c),
// pausekit's init mode and the peers', each running the same one program.
// Each is measured when present and otherwise named as skipped, with why and
// how to get it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_BUILD = join(ROOT, 'build', 'bench');
export const HARNESS = join(BENCH_BUILD, 'harness');
const FLOOR = join(BENCH_BUILD, 'floor');
const INIT_FLOOR = join(BENCH_BUILD, 'init-floor');
const NATIVE = join(ROOT, 'build', 'native');

/** System call numbers (x86-64) a ready program sleeps in, per /proc/PID/syscall. */
export const SYSCALL = { read: 0, pause: 34, rt_sigtimedwait: 128 } as const;

export interface Program {
  /** Short, stable name used in tables, JSON and the chart. */
  id: string;
  /** What it is, one line. */
  label: string;
  argv: string[];
  /** System calls it sleeps in once ready. */
  ready: number[];
  /** The same for the one child it starts (tini, dumb-init, catatonit). */
  childReady?: number[];
  /** The binary whose size and linking the footprint table reports. */
  binary: string;
  /** Signal that takes it down in each mode (the floor as PID 1: SIGKILL). */
  signal: { pid1: number; plain: number };
  /** Which measurements it takes part in (init: the init-mode rows). */
  in: { latency: boolean; reaping: boolean; footprint: boolean; init?: boolean };
  kind: 'floor' | 'pausekit' | 'reference' | 'peer';
}

export interface Skipped {
  id: string;
  label: string;
  reason: string;
}

const SIGKILL = 9;
const SIGTERM = 15;
const ALL = { latency: true, reaping: true, footprint: true };
const LATENCY_AND_FOOTPRINT = { latency: true, reaping: false, footprint: true };

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

function run(command: string, args: string[], cwd = ROOT): string | undefined {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    return stderr.split('\n').slice(-3).join(' ') || String(error);
  }
}

/** Whether target exists and is newer than every source. */
function upToDate(target: string, sources: string[]): boolean {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs <= built);
}

/**
 * Builds into a private directory, then renames each binary into place:
 * concurrent runs (tests run in parallel) never see a half-written file.
 */
function buildAtomically(finals: string[], build: (dir: string) => string | undefined): string | undefined {
  mkdirSync(BENCH_BUILD, { recursive: true });
  const dir = mkdtempSync(join(BENCH_BUILD, '.tmp-'));
  try {
    const error = build(dir);
    if (error !== undefined) return error;
    for (const file of finals) renameSync(join(dir, basename(file)), file);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pause.c built with another C library into build/bench/<libc>/; an error text or undefined. */
function buildPauseWith(libc: 'musl' | 'glibc'): string | undefined {
  const finals = ['pause', 'pause-handlers'].map((name) => join(BENCH_BUILD, libc, name));
  const sources = [join(ROOT, 'native', 'pause.c'), join(ROOT, 'native', 'Makefile')];
  if (finals.every((file) => upToDate(file, sources))) return undefined;
  mkdirSync(join(BENCH_BUILD, libc), { recursive: true });
  return buildAtomically(finals, (dir) =>
    run('make', ['-s', '-C', 'native', `OUT=${dir}`, `LIBC=${libc}`, `${dir}/pause`, `${dir}/pause-handlers`]));
}

/** The seed post that quotes the Kubernetes pause.c (outside this repository). */
export function seedPost(): string {
  return process.env['PAUSEKIT_SEED'] ?? resolve(ROOT, '..', 'shared', 'seed', 'pause-container.zh.md');
}

/**
 * The Kubernetes pause.c as the seed post quotes it. The post's formatting
 * glued lines together at '#' and '}'; preprocessor lines need their own
 * line again, the rest of C does not care. Returns undefined when the post
 * has no such listing.
 */
export function kubernetesPauseSource(post: string): string | undefined {
  const match = /```\s*\n(#include <signal\.h>[\s\S]*?)```/.exec(post);
  if (!match?.[1]) return undefined;
  const source = match[1]
    .replace(/(?<=\S)#(?=(include|define|ifndef|ifdef|endif|if|else)\b)/g, '\n#')
    .replace(/^(#endif)(?=\S)/gm, '$1\n');
  return source.includes('pause()') && source.includes('sigaction') ? source : undefined;
}

/** Builds the Kubernetes pause static with cc (glibc) or musl-gcc into build/bench/k8s/. */
function buildKubernetesPause(compiler: 'cc' | 'musl-gcc', name: string): string | undefined {
  const post = seedPost();
  if (!existsSync(post)) return `the seed post ${post} is absent (set PAUSEKIT_SEED to its path)`;
  const final = join(BENCH_BUILD, 'k8s', name);
  if (upToDate(final, [post])) return undefined;
  const source = kubernetesPauseSource(readFileSync(post, 'utf8'));
  if (source === undefined) return `no pause.c listing found in ${post}`;
  mkdirSync(dirname(final), { recursive: true });
  return buildAtomically([final], (dir) => {
    writeFileSync(join(dir, 'pause.c'), source);
    // As the Kubernetes Makefile builds it (-Os -static), stripped like ours.
    const error = run(compiler, ['-Os', '-Wall', '-static', '-s', '-DVERSION=bench', '-o', join(dir, name), join(dir, 'pause.c')]);
    return error === undefined ? undefined : `${compiler} failed to build it: ${error}`;
  });
}

/**
 * Every program of a run: those measured and those skipped (with why).
 * Builds what the run needs that `npm run build` does not: the musl and
 * glibc variants of pause.c and the Kubernetes reference.
 */
export function programs(): { measured: Program[]; skipped: Skipped[] } {
  const measured: Program[] = [];
  const skipped: Skipped[] = [];
  const term = { pid1: SIGTERM, plain: SIGTERM };
  const needs = (path: string, what: string): string | undefined =>
    existsSync(path) ? undefined : `${path} is missing (${what})`;

  const floorMissing = needs(FLOOR, 'run npm run build');
  if (floorMissing) {
    skipped.push({ id: 'floor', label: 'the kernel floor', reason: floorMissing });
  } else {
    measured.push({
      id: 'floor', label: 'floor: no handler, killed by the default action (as PID 1: SIGKILL)',
      argv: [FLOOR], ready: [SYSCALL.pause], binary: FLOOR, signal: { pid1: SIGKILL, plain: SIGTERM },
      in: LATENCY_AND_FOOTPRINT, kind: 'floor',
    });
    measured.push({
      id: 'floor-autoreap', label: 'floor: SIGCHLD = SIG_IGN, the kernel reaps',
      argv: [FLOOR, 'autoreap'], ready: [SYSCALL.pause], binary: FLOOR, signal: { pid1: SIGKILL, plain: SIGTERM },
      in: { latency: false, reaping: true, footprint: false }, kind: 'floor',
    });
  }

  const ours: [string, string, string, number, Program['in']][] = [
    ['pause', join(NATIVE, 'pause'), 'pausekit default: sigwait, no libc', SYSCALL.rt_sigtimedwait, ALL],
    ['pause-handlers', join(NATIVE, 'pause-handlers'), 'pausekit handlers design, no libc', SYSCALL.pause, ALL],
    ['pause-autoreap', join(NATIVE, 'pause-autoreap'), 'pausekit autoreap design (the kernel reaps), no libc', SYSCALL.rt_sigtimedwait, ALL],
  ];
  const musl = which('musl-gcc');
  const muslError = musl === undefined ? 'musl-gcc is not installed (apt-get install musl-tools)' : buildPauseWith('musl');
  const glibcError = buildPauseWith('glibc');
  for (const [libc, error] of [['musl', muslError], ['glibc', glibcError]] as const) {
    for (const design of ['sigwait', 'handlers'] as const) {
      const id = `pause${design === 'handlers' ? '-handlers' : ''}-${libc}`;
      const file = join(BENCH_BUILD, libc, design === 'handlers' ? 'pause-handlers' : 'pause');
      if (error !== undefined) {
        skipped.push({ id, label: `pausekit ${design}, static ${libc}`, reason: error });
      } else {
        ours.push([id, file, `pausekit ${design}, static ${libc}`,
          design === 'sigwait' ? SYSCALL.rt_sigtimedwait : SYSCALL.pause, LATENCY_AND_FOOTPRINT]);
      }
    }
  }
  for (const [id, file, label, ready, parts] of ours) {
    const missing = needs(file, 'run npm run build');
    if (missing) skipped.push({ id, label, reason: missing });
    else measured.push({ id, label, argv: [file], ready: [ready], binary: file, signal: term, in: parts, kind: 'pausekit' });
  }

  const references: [string, 'cc' | 'musl-gcc', string, Program['in']][] = [
    ['k8s-pause-musl', 'musl-gcc', 'Kubernetes pause.c, static musl', ALL],
    ['k8s-pause-glibc', 'cc', 'Kubernetes pause.c, static glibc', LATENCY_AND_FOOTPRINT],
  ];
  for (const [id, compiler, label, parts] of references) {
    const error = compiler === 'musl-gcc' && musl === undefined
      ? 'musl-gcc is not installed (apt-get install musl-tools)'
      : buildKubernetesPause(compiler, id);
    const file = join(BENCH_BUILD, 'k8s', id);
    if (error !== undefined) skipped.push({ id, label, reason: error });
    else measured.push({ id, label, argv: [file], ready: [SYSCALL.pause], binary: file, signal: term, in: parts, kind: 'reference' });
  }

  // The peers, each with one child (the floor program) where it needs one.
  const peers: [string, string, string, string[], number, boolean, Program['in']][] = [
    ['tini', 'tini', 'tini (dynamic) with a child', ['--', FLOOR], SYSCALL.rt_sigtimedwait, true, ALL],
    ['tini-static', 'tini-static', 'tini-static with a child', ['--', FLOOR], SYSCALL.rt_sigtimedwait, true, LATENCY_AND_FOOTPRINT],
    ['dumb-init', 'dumb-init', 'dumb-init with a child', [FLOOR], SYSCALL.rt_sigtimedwait, true, ALL],
    ['catatonit', 'catatonit', 'catatonit with a child', ['--', FLOOR], SYSCALL.read, true, LATENCY_AND_FOOTPRINT],
    ['catatonit-P', 'catatonit', 'catatonit -P (pause mode)', ['-P'], SYSCALL.read, false, ALL],
  ];
  for (const [id, command, label, args, ready, child, parts] of peers) {
    const path = which(command);
    const pkg = command === 'tini-static' ? 'tini' : command;
    if (path === undefined) {
      skipped.push({ id, label, reason: `${command} is not installed (apt-get install ${pkg})` });
    } else if (child && floorMissing) {
      skipped.push({ id, label, reason: floorMissing });
    } else {
      measured.push({
        id, label, argv: [path, ...args], ready: [ready], binary: path, signal: term, in: parts, kind: 'peer',
        ...(child ? { childReady: [SYSCALL.pause] } : {}),
      });
    }
  }
  return { measured, skipped };
}

/**
 * The init-mode rows: each init runs the floor program (bench/floor.c, no
 * handler, asleep in pause()) as its one child, as PID 1 of a fresh PID
 * namespace. SIGTERM to the init is forwarded, the child dies of its
 * default action, and the init exits 143. The baseline is init-floor.
 */
export function initPrograms(): { measured: Program[]; skipped: Skipped[] } {
  const measured: Program[] = [];
  const skipped: Skipped[] = [];
  const parts = { latency: false, reaping: false, footprint: false, init: true };
  const rows: [string, string, string | undefined, string, string[], number, Program['kind']][] = [
    ['init-floor', 'init floor: block all, fork/exec, sigwait, kill, waitpid (bench/init-floor.c)', INIT_FLOOR, 'run npm run build', [], SYSCALL.rt_sigtimedwait, 'floor'],
    ['init-pause', 'pausekit: pause -- PROGRAM (sigwait, no libc)', join(NATIVE, 'pause'), 'run npm run build', ['--'], SYSCALL.rt_sigtimedwait, 'pausekit'],
    ['init-pause-handlers', 'pausekit: pause-handlers -- PROGRAM (no libc)', join(NATIVE, 'pause-handlers'), 'run npm run build', ['--'], SYSCALL.pause, 'pausekit'],
    ['init-tini', 'tini -- PROGRAM', which('tini'), 'apt-get install tini', ['--'], SYSCALL.rt_sigtimedwait, 'peer'],
    ['init-dumb-init', 'dumb-init PROGRAM', which('dumb-init'), 'apt-get install dumb-init', [], SYSCALL.rt_sigtimedwait, 'peer'],
    ['init-catatonit', 'catatonit -- PROGRAM', which('catatonit'), 'apt-get install catatonit', ['--'], SYSCALL.read, 'peer'],
  ];
  for (const [id, label, path, fix, args, ready, kind] of rows) {
    const missing = path === undefined ? `${label.split(' ')[0]} is not installed (${fix})`
      : !existsSync(path) ? `${path} is missing (${fix})`
      : !existsSync(FLOOR) ? `${FLOOR} is missing (run npm run build)` : undefined;
    if (missing !== undefined) {
      skipped.push({ id, label, reason: missing });
    } else {
      measured.push({
        id, label, argv: [path!, ...args, FLOOR], ready: [ready], childReady: [SYSCALL.pause], binary: path!,
        signal: { pid1: SIGTERM, plain: SIGTERM }, in: parts, kind,
      });
    }
  }
  return { measured, skipped };
}

/** Size in bytes, and static (no ELF interpreter, PT_INTERP) or dynamic; any ELF class and byte order. */
export function binaryFacts(path: string): { bytes: number; linking: 'static' | 'dynamic' } {
  const elf = readFileSync(path);
  const is64 = elf[4] === 2;
  const le = elf[5] === 1;
  const u16 = (at: number): number => (le ? elf.readUInt16LE(at) : elf.readUInt16BE(at));
  const u32 = (at: number): number => (le ? elf.readUInt32LE(at) : elf.readUInt32BE(at));
  const phoff = Number(is64 ? (le ? elf.readBigUInt64LE(0x20) : elf.readBigUInt64BE(0x20)) : u32(0x1c));
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  let dynamic = false;
  for (let i = 0; i < phnum; i++) {
    if (u32(phoff + i * phentsize) === 3 /* PT_INTERP */) dynamic = true;
  }
  return { bytes: elf.length, linking: dynamic ? 'dynamic' : 'static' };
}
