// The programs a benchmark run compares: the kernel's floor, pausekit's
// designs (and the same source built with musl and glibc), pause as 0.1.0
// had it, the Kubernetes pause built from the source the user gives, and
// the peers users would pick instead; and, for the init-mode rows, the
// smallest correct init (bench/init-floor.c), pausekit's init mode and the
// peers', each running the same one program. Each is measured when present
// and otherwise named as skipped, with why and how to get it, in one line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeMissing, nativeProgram } from '../engines/kernel/engine.ts';
import { ROOT, benchDir, benchTool, defaultWorkDir, kubernetesPause, pauseWithLibc, which, type Built, type KubernetesSource } from './build.ts';

export { ROOT, which };

/** The harness of the default work directory (the checkout's build/bench/harness). */
export const HARNESS = join(benchDir(defaultWorkDir()), 'harness');

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

/** What the programs are built from and into. */
export interface Setup {
  /** The work directory (builds go to its bench/). */
  work: string;
  /** The Kubernetes pause.c, when the user gave one. */
  k8sSource?: KubernetesSource;
}

/** Why the Kubernetes rows are skipped when no source is given. */
export const NO_K8S_SOURCE = 'no Kubernetes pause.c given (--k8s-pause-source FILE, or PAUSEKIT_K8S_PAUSE_SOURCE)';

const SIGKILL = 9;
const SIGTERM = 15;
const ALL = { latency: true, reaping: true, footprint: true };
const LATENCY_AND_FOOTPRINT = { latency: true, reaping: false, footprint: true };

/** The floor's two rows: no handler at all, and SIGCHLD ignored (the kernel reaps). */
function floorRows(floor: string): Program[] {
  const signal = { pid1: SIGKILL, plain: SIGTERM };
  return [
    { id: 'floor', label: 'floor: no handler, killed by the default action (as PID 1: SIGKILL)',
      argv: [floor], ready: [SYSCALL.pause], binary: floor, signal, in: LATENCY_AND_FOOTPRINT, kind: 'floor' },
    { id: 'floor-autoreap', label: 'floor: SIGCHLD = SIG_IGN, the kernel reaps',
      argv: [floor, 'autoreap'], ready: [SYSCALL.pause], binary: floor, signal, in: { latency: false, reaping: true, footprint: false }, kind: 'floor' },
  ];
}

type Row = { id: string; label: string; ready: number; in: Program['in']; kind: Program['kind'] } & ({ path: string } | { reason: string });

/** pausekit's rows: the designs, the same pause.c with musl and glibc, and pause as 0.1.0 had it. */
function pausekitRows(setup: Setup): Row[] {
  const wait = SYSCALL.rt_sigtimedwait;
  const rows: Row[] = (['pause', 'pause-handlers', 'pause-autoreap'] as const).map((id) => {
    const path = nativeProgram(id);
    const label = { pause: 'pausekit default: sigwait, no libc', 'pause-handlers': 'pausekit handlers design, no libc',
      'pause-autoreap': 'pausekit autoreap design (the kernel reaps), no libc' }[id];
    const ready = id === 'pause-handlers' ? SYSCALL.pause : wait;
    return { id, label, ready, in: ALL, kind: 'pausekit', ...(existsSync(path) ? { path } : { reason: nativeMissing(id) }) };
  });
  const old = benchTool(setup.work, 'pause-0.1.0');
  rows.push({ id: 'pause-0.1.0', label: 'pausekit 0.1.0: sigwait, no libc (bench/pause-0.1.0.c)', ready: wait,
    in: LATENCY_AND_FOOTPRINT, kind: 'pausekit', ...(old.reason === undefined ? { path: old.path } : { reason: old.reason }) });
  for (const libc of ['musl', 'glibc'] as const) {
    const built = pauseWithLibc(setup.work, libc);
    for (const design of ['sigwait', 'handlers'] as const) {
      const handlers = design === 'handlers';
      rows.push({
        id: `pause${handlers ? '-handlers' : ''}-${libc}`, label: `pausekit ${design}, static ${libc}`, ready: handlers ? SYSCALL.pause : wait,
        in: LATENCY_AND_FOOTPRINT, kind: 'pausekit', ...('reason' in built ? built : { path: handlers ? built.handlers : built.pause }),
      });
    }
  }
  return rows;
}

/** The Kubernetes pause, built from the source the user gave with musl and with glibc. */
function kubernetesRows(setup: Setup): Row[] {
  const references = [
    ['k8s-pause-musl', 'musl-gcc', 'Kubernetes pause.c, static musl', ALL],
    ['k8s-pause-glibc', 'cc', 'Kubernetes pause.c, static glibc', LATENCY_AND_FOOTPRINT],
  ] as const;
  return references.map(([id, compiler, label, parts]) => {
    const built = setup.k8sSource === undefined ? { reason: NO_K8S_SOURCE } : kubernetesPause(setup.work, setup.k8sSource, compiler, id);
    return { id, label, ready: SYSCALL.pause, in: parts, kind: 'reference', ...(built.reason === undefined ? { path: built.path! } : { reason: built.reason }) };
  });
}

/**
 * Every program of a run: those measured and those skipped (with why).
 * Builds what the run needs into the work directory: the floor, the musl
 * and glibc variants of pause.c, pause 0.1.0 and the Kubernetes pause.
 */
export function programs(setup: Setup): { measured: Program[]; skipped: Skipped[] } {
  const measured: Program[] = [];
  const skipped: Skipped[] = [];
  const floor = benchTool(setup.work, 'floor');
  if (floor.reason !== undefined) skipped.push({ id: 'floor', label: 'the kernel floor', reason: floor.reason });
  else measured.push(...floorRows(floor.path));
  for (const row of [...pausekitRows(setup), ...kubernetesRows(setup)]) {
    if ('reason' in row) skipped.push({ id: row.id, label: row.label, reason: row.reason });
    else measured.push({ id: row.id, label: row.label, argv: [row.path], ready: [row.ready], binary: row.path,
      signal: { pid1: SIGTERM, plain: SIGTERM }, in: row.in, kind: row.kind });
  }
  // The peers, each with one child (the floor program) where it needs one.
  const peers: [string, string, string, string[], number, boolean, Program['in']][] = [
    ['tini', 'tini', 'tini (dynamic) with a child', ['--'], SYSCALL.rt_sigtimedwait, true, ALL],
    ['tini-static', 'tini-static', 'tini-static with a child', ['--'], SYSCALL.rt_sigtimedwait, true, LATENCY_AND_FOOTPRINT],
    ['dumb-init', 'dumb-init', 'dumb-init with a child', [], SYSCALL.rt_sigtimedwait, true, ALL],
    ['catatonit', 'catatonit', 'catatonit with a child', ['--'], SYSCALL.read, true, LATENCY_AND_FOOTPRINT],
    ['catatonit-P', 'catatonit', 'catatonit -P (pause mode)', ['-P'], SYSCALL.read, false, ALL],
  ];
  for (const [id, command, label, args, ready, child, parts] of peers) {
    const path = which(command);
    if (path === undefined) {
      skipped.push({ id, label, reason: `${command} is not installed (apt-get install ${command === 'tini-static' ? 'tini' : command})` });
    } else if (child && floor.reason !== undefined) {
      skipped.push({ id, label, reason: floor.reason });
    } else {
      measured.push({
        id, label, argv: [path, ...args, ...(child ? [floor.path!] : [])], ready: [ready], binary: path,
        signal: { pid1: SIGTERM, plain: SIGTERM }, in: parts, kind: 'peer', ...(child ? { childReady: [SYSCALL.pause] } : {}),
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
export function initPrograms(setup: Setup): { measured: Program[]; skipped: Skipped[] } {
  const measured: Program[] = [];
  const skipped: Skipped[] = [];
  const floor = benchTool(setup.work, 'floor');
  const initFloor = benchTool(setup.work, 'init-floor');
  const installed = (command: string): Built => {
    const path = which(command);
    return path === undefined ? { reason: `${command} is not installed (apt-get install ${command})` } : { path };
  };
  const ours = (name: string): Built => (existsSync(nativeProgram(name)) ? { path: nativeProgram(name) } : { reason: nativeMissing(name) });
  const parts = { latency: false, reaping: false, footprint: false, init: true };
  const rows: [string, string, Built, string[], number, Program['kind']][] = [
    ['init-floor', 'init floor: block all, fork/exec, sigwait, kill, waitpid (bench/init-floor.c)', initFloor, [], SYSCALL.rt_sigtimedwait, 'floor'],
    ['init-pause', 'pausekit: pause -- PROGRAM (sigwait, no libc)', ours('pause'), ['--'], SYSCALL.rt_sigtimedwait, 'pausekit'],
    ['init-pause-handlers', 'pausekit: pause-handlers -- PROGRAM (no libc)', ours('pause-handlers'), ['--'], SYSCALL.pause, 'pausekit'],
    ['init-tini', 'tini -- PROGRAM', installed('tini'), ['--'], SYSCALL.rt_sigtimedwait, 'peer'],
    ['init-dumb-init', 'dumb-init PROGRAM', installed('dumb-init'), [], SYSCALL.rt_sigtimedwait, 'peer'],
    ['init-catatonit', 'catatonit -- PROGRAM', installed('catatonit'), ['--'], SYSCALL.read, 'peer'],
  ];
  for (const [id, label, built, args, ready, kind] of rows) {
    const reason = built.reason ?? floor.reason;
    if (reason !== undefined) {
      skipped.push({ id, label, reason });
    } else {
      measured.push({
        id, label, argv: [built.path!, ...args, floor.path!], ready: [ready], childReady: [SYSCALL.pause], binary: built.path!,
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
