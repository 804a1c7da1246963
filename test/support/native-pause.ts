// Running the native pause binaries directly (not through scenarios): as a
// plain process, or as PID 1 of a fresh PID namespace through util-linux
// `unshare --pid --fork`. Handshakes, never sleeps: every wait polls /proc
// to a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { kernelAvailability, pauseBinary } from '../../src/engines/kernel/engine.ts';
import type { Design } from '../../src/scenario/types.ts';

export const DESIGNS: readonly Design[] = ['sigwait', 'handlers'];
export const MODES = ['PID 1', 'a plain process'] as const;
export type Mode = (typeof MODES)[number];

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelSkipReason(): string | undefined {
  const available = kernelAvailability();
  if (!available.ok) return available.reason;
  for (const design of DESIGNS) {
    if (!existsSync(pauseBinary(design))) return `${pauseBinary(design)} is missing: run 'npm run build'`;
  }
  return undefined;
}

/** Prints the reason once per file, so skipped kernel tests say why. */
export function warnIfSkipped(what: string): boolean {
  const reason = kernelSkipReason();
  if (reason !== undefined) console.warn(`skipping ${what}: ${reason}`);
  return reason !== undefined;
}

/** Polls `check` until it returns a value other than undefined, or fails at the deadline. */
export async function pollUntil<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Fields of /proc/PID/status, or undefined once the process is gone. */
export function procStatus(pid: number): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** Children of a process (zombies included), from /proc/PID/task/PID/children. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Does a hex signal mask from /proc include this signal number? */
export function maskHas(mask: string, signal: number): boolean {
  return (BigInt(`0x${mask}`) >> BigInt(signal - 1)) & 1n ? true : false;
}

export interface PauseProcess {
  /** pause's pid on the host (inside the namespace it is 1 in PID 1 mode). */
  pid: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code, or the signal that killed pause (as unshare passes it on). */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts pause (or a shell command that ends in `exec pause`) in one mode.
 * `argv` is the full command line; extra stdio entries become fds 3, 4...
 */
export async function startPause(mode: Mode, argv: string[], extraStdio: 'pipe'[] = []): Promise<PauseProcess> {
  const available = kernelAvailability();
  const prefix = mode === 'PID 1'
    ? ['unshare', ...(available.ok && available.mode === 'userns' ? ['--user', '--map-root-user'] : []), '--pid', '--fork', '--kill-child']
    : [];
  const [command, ...args] = [...prefix, ...argv];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', ...extraStdio] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const outer = child.pid as number;
  const pid = mode === 'PID 1'
    ? await pollUntil('unshare has forked', () => childrenOf(outer)[0] ?? (child.exitCode !== null ? -1 : undefined))
    : outer;
  return {
    pid,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    kill: (signal) => {
      if (pid > 0) {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
    },
  };
}

const SIGINT = 2;
const SIGTERM = 15;
const SIGCHLD = 17;

/** rt_sigtimedwait's system call number, where the sigwait design waits. */
const SYS_RT_SIGTIMEDWAIT: Partial<Record<string, number>> = { x64: 128, arm64: 137 };

/** The system call a process is blocked in (from /proc/PID/syscall), if any. */
function blockedSyscall(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0];
    return /^\d+$/.test(first) ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until pause has taken over its signals, by /proc: handlers
 * installed (handler design), or INT, TERM and CHLD blocked (sigwait
 * design; while it waits in rt_sigtimedwait the kernel shows them unblocked).
 */
export function untilReady(pause: PauseProcess, design: Design): Promise<true> {
  return pollUntil(`pause (${pause.pid}) has set up its signals`, () => {
    const status = procStatus(pause.pid);
    if (status === undefined) throw new Error(`pause exited early: ${pause.stderr()}`);
    const mask = design === 'handlers' ? status.SigCgt : status.SigBlk;
    if ([SIGINT, SIGTERM, SIGCHLD].every((s) => maskHas(mask, s))) return true;
    const waiting = SYS_RT_SIGTIMEDWAIT[process.arch];
    return design === 'sigwait' && waiting !== undefined && blockedSyscall(pause.pid) === waiting ? true : undefined;
  });
}

/** Kills pause if a test left it running and waits for it. */
export async function stopPause(pause: PauseProcess | undefined): Promise<void> {
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) {
    pause.kill('SIGKILL');
    pause.child.kill('SIGKILL');
  }
  await pause.exit;
}

/** The version pause prints: `pause.c <package.json version>`. */
export function expectedVersionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `pause.c ${pkg.version}\n`;
}
