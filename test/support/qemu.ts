// Every architecture's libc-free pause (build/native/<arch>/, from
// `make -C native`), and running a foreign one under qemu-user: as PID 1 of
// a fresh PID namespace (`unshare --pid --fork`, then qemu-<arch>-static
// running pause) or as a plain process.
//
// The handshake is qemu's own system call trace (`-strace`, written to a log
// file with `-D`, so pause's stderr stays pause's): once the trace shows the
// guest entering its wait (rt_sigtimedwait, or pause/ppoll), its signals are
// set up. /proc cannot tell: it shows qemu's host dispositions and mask.
//
// What qemu-user cannot show, so the foreign architectures' tests leave it
// to the host's own build (and to a machine of that architecture):
// - the namespace init's protection from signals it does not handle (qemu
//   re-raises a default action on itself, the kernel drops it for a
//   namespace init, and qemu waits forever): test/kernel/init-protection,
//   and the death by such a signal as a plain process:
//   test/native/signal-dispositions;
// - the caught and blocked signals in /proc/PID/status (qemu's, not the
//   guest's): test/native/signal-dispositions;
// - SA_NOCLDSTOP (qemu's own SIGCHLD handler wakes for stops and
//   continues): test/native/sa-nocldstop;
// - a failing sigprocmask (qemu keeps the guest's mask itself, the call
//   never reaches the host): test/native/setup-failure-exit-codes.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { NATIVE_DIR, kernelAvailability } from '../../src/engines/kernel/engine.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { cannotRun, commandPath, KERNEL, need, type Need } from './gate.ts';
import { until, startPause, type Mode, type PauseProcess } from './processes.ts';

/** The architectures, named as OCI platforms (and native/Makefile) name them. */
export const ARCHES = ['amd64', 'arm64', 'arm', 'ppc64le', 's390x', 'riscv64'] as const;
export type Arch = (typeof ARCHES)[number];

export interface ArchFacts {
  /** qemu-<name>-static runs it. */
  qemu: string;
  /** The cross compiler native/Makefile builds it with. */
  compiler: string;
  /** ELF header: e_machine, class (32/64 bits), byte order. */
  machine: number;
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** process.arch of a host that runs it natively. */
  nodeArch: string;
}

export const FACTS: Record<Arch, ArchFacts> = {
  amd64: { qemu: 'x86_64', compiler: 'x86_64-linux-gnu-gcc', machine: 62, bits: 64, endian: 'little', nodeArch: 'x64' },
  arm64: { qemu: 'aarch64', compiler: 'aarch64-linux-gnu-gcc', machine: 183, bits: 64, endian: 'little', nodeArch: 'arm64' },
  arm: { qemu: 'arm', compiler: 'arm-linux-gnueabihf-gcc', machine: 40, bits: 32, endian: 'little', nodeArch: 'arm' },
  ppc64le: { qemu: 'ppc64le', compiler: 'powerpc64le-linux-gnu-gcc', machine: 21, bits: 64, endian: 'little', nodeArch: 'ppc64' },
  s390x: { qemu: 's390x', compiler: 's390x-linux-gnu-gcc', machine: 22, bits: 64, endian: 'big', nodeArch: 's390x' },
  riscv64: { qemu: 'riscv64', compiler: 'riscv64-linux-gnu-gcc', machine: 243, bits: 64, endian: 'little', nodeArch: 'riscv64' },
};

/** The architecture this machine runs natively, if it is one of ours. */
export const HOST_ARCH: Arch | undefined = ARCHES.find((arch) => FACTS[arch].nodeArch === process.arch);

/** Architectures whose pause runs here under qemu (all but the host's own). */
export const FOREIGN_ARCHES: readonly Arch[] = ARCHES.filter((arch) => arch !== HOST_ARCH);

/** build/native/<arch>/pause-<design> (pause itself is a copy of pause-sigwait). */
export function archBinary(arch: Arch, design: Design | 'default'): string {
  return join(NATIVE_DIR, arch, design === 'default' ? 'pause' : `pause-${design}`);
}

/** Why this architecture's binaries are not there, or undefined when they are. */
export function buildMissing(arch: Arch): string | undefined {
  for (const design of [...DESIGNS, 'default'] as const) {
    const binary = archBinary(arch, design);
    if (!existsSync(binary)) {
      const compiler = commandPath(FACTS[arch].compiler) === undefined ? `; ${FACTS[arch].compiler} is not installed` : '';
      return `${binary} is missing (make -C native builds it${compiler})`;
    }
  }
  return undefined;
}

/** qemu-<arch>-static for a foreign architecture. */
export function qemuCommand(arch: Arch): string {
  return `qemu-${FACTS[arch].qemu}-static`;
}

/** The full path of qemu-<arch>-static (for programs that exec without a PATH search), if installed. */
export function qemuPath(arch: Arch): string | undefined {
  return commandPath(qemuCommand(arch));
}

/** Why this architecture's pause cannot run under qemu here, or undefined when it can. */
export function qemuMissing(arch: Arch): string | undefined {
  const missing = buildMissing(arch);
  if (missing !== undefined) return missing;
  if (commandPath(qemuCommand(arch)) === undefined) return `${qemuCommand(arch)} is not installed (Debian: qemu-user-static)`;
  return undefined;
}

/** This architecture's binaries, built (by make -C native, with its cross compiler). */
export function crossBuilt(arch: Arch): Need {
  return need(`pause for ${arch}`, () => buildMissing(arch));
}

/** This architecture's binaries, built, and qemu-user to run them. */
export function underQemu(arch: Arch): Need {
  return need(`pause for ${arch} under ${qemuCommand(arch)}`, () => qemuMissing(arch));
}

/** pause under qemu, with the trace that says when it is ready. */
export interface QemuPause extends PauseProcess {
  /** qemu's system call trace of the guest so far. */
  trace(): string;
  /** Removes the trace's directory. */
  cleanup(): void;
}

/** Starts build/native/<arch>/pause-<design> under qemu, as PID 1 of a fresh PID namespace or not. */
export async function startQemuPause(mode: Mode, arch: Arch, design: Design, args: string[] = []): Promise<QemuPause> {
  const dir = mkdtempSync(join(tmpdir(), `pausekit-qemu-${arch}-`));
  const log = join(dir, 'strace.log');
  const pause = await startPause(mode, [qemuCommand(arch), '-strace', '-D', log, archBinary(arch, design), ...args]);
  return {
    ...pause,
    trace: () => {
      try {
        return readFileSync(log, 'utf8');
      } catch {
        return '';
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The guest's wait: the sigwait and autoreap designs' rt_sigtimedwait with no timeout,
 * the handlers design's pause (ppoll of nothing on arm64, riscv64). pause
 * also polls stderr and takes back its own SIGPIPE around each message
 * (ppoll and rt_sigtimedwait with a zero timeout): those are not the wait.
 * Not anchored at a line's start: in init mode the child's successful
 * execve never ends its line in the trace, and the parent's may follow it.
 */
const WAIT_CALL: Record<Design, RegExp> = {
  sigwait: /(^|[^\d])\d+ rt_sigtimedwait\(\d+,0,0,/m,
  handlers: /(^|[^\d])\d+ (pause\(|ppoll\(0,0,0,0,)/m,
  autoreap: /(^|[^\d])\d+ rt_sigtimedwait\(\d+,0,0,/m,
};

/** Waits until the guest has entered its wait, so its signals are set up. */
export function untilWaiting(pause: QemuPause, design: Design): Promise<true> {
  return until(`pause under qemu (${pause.pid}) waits for signals`, () => {
    if (WAIT_CALL[design].test(pause.trace())) return true;
    if (pause.child.exitCode !== null || pause.child.signalCode !== null) {
      throw new Error(`pause under qemu ended before it waited: ${pause.stderr()}\ntrace:\n${pause.trace()}`);
    }
    return undefined;
  }, 30_000);
}

/** Every child of every thread of a process (qemu may run threads of its own), zombies included. */
export function allChildrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** nsenter's arguments to join pause's PID namespace (and user namespace, if the kernel tests run in one). */
export function enterNamespaceArgs(pid: number): string[] {
  const available = kernelAvailability();
  const user = available.ok && available.mode === 'userns' ? ['--user', '--preserve-credentials'] : [];
  return ['--target', String(pid), ...user, '--pid', '--'];
}

/**
 * Declares a test file's tests for every foreign architecture: `body` runs
 * inside a describe() that the gate (gate.ts) skips when qemu, the build or,
 * if `needsNamespace`, the kernel engine is missing (a failing test in CI).
 */
export function forEachForeignArch(what: string, needsNamespace: boolean, body: (arch: Arch) => void): void {
  for (const arch of FOREIGN_ARCHES) {
    const skip = cannotRun(`${what} for ${arch}`, underQemu(arch), ...(needsNamespace ? [KERNEL] : []));
    describe.skipIf(skip)(`pause for ${arch} under ${qemuCommand(arch)}`, () => body(arch));
  }
}

/** pause's exit, or a failure naming what it printed if it has not exited by the deadline (a wedged qemu never does). */
export async function exitWithin(pause: PauseProcess, timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`pause (${pause.pid}) did not exit within ${timeoutMs} ms; stderr: ${JSON.stringify(pause.stderr())}`)), timeoutMs);
  });
  try {
    return await Promise.race([pause.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
