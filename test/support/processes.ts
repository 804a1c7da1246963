// Spawning and watching native processes, for every test that runs one: a
// command to completion, a long-running process, or the pause binary itself
// (as a plain process, or as PID 1 of a fresh PID namespace through
// util-linux `unshare --pid --fork`). Handshakes, never sleeps: every wait
// polls /proc (or a command) to a deadline.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { kernelAvailability, NATIVE_DIR, pauseBinary } from '../../src/engines/kernel/engine.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import { commandPath, file, need } from './gate.ts';

// ---- Commands -------------------------------------------------------------

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a command to completion; never throws for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 << 20, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
        if (failure !== null && typeof failure.code === 'string') {
          resolve({ code: null, signal: null, stdout, stderr: `${stderr}${failure.message}` });
          return;
        }
        const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        resolve({ code, signal: failure?.signal ?? null, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Run a command that must succeed; the error carries its whole output. */
export async function ok(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}, signal ${result.signal}):\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A long-running process whose exit and output the test reads later. */
export interface Foreground {
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout: () => string;
  stderr: () => string;
}

/** Where a started process's stdio goes, its working directory and argv[0]. */
export interface StdioOptions {
  /** An open file descriptor to give the process as its stderr instead of a pipe. */
  stderrFd?: number;
  cwd?: string;
  /** Replaces argv[0] of the command started (default: its path). */
  argv0?: string;
}

/** Starts a process, collecting its output; extra stdio entries become fds 3, 4... */
export function foreground(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  extraStdio: 'pipe'[] = [],
  options: StdioOptions = {},
): Foreground {
  const { argv0 } = options;
  const child = spawn(command, args, {
    env, cwd: options.cwd, stdio: ['ignore', 'pipe', options.stderrFd ?? 'pipe', ...extraStdio],
    ...(argv0 === undefined ? {} : { argv0 }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: null, signal: null }));
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Resolve with the process's exit, or fail at the deadline. */
export async function exitOf(process: Foreground, what: string, timeoutMs = 10_000): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} to exit`)), timeoutMs);
  });
  try {
    return await Promise.race([process.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- Polling and /proc ------------------------------------------------------

/**
 * Polls `probe` until it returns something other than undefined, or fails at
 * the deadline saying what was awaited. Polls often at first (2 ms), then
 * less (up to every 100 ms), so a slow probe (a command) does not hog the machine.
 * The default deadline is generous (30 s, half the test timeout): on a loaded
 * 2-core machine a shell forking 50 orphans took over 10 s once; a deadline
 * only costs time when the test fails.
 */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 2;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 100);
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

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The state letter: R, S, T, Z... */
  state: string;
  uid: number;
  /** The pid in each PID namespace, outermost first (NSpid). */
  nspid: number[];
}

/** The fields of /proc/PID/status tests look at; undefined once the process is gone. */
export function procInfo(pid: number): ProcInfo | undefined {
  const status = procStatus(pid);
  if (status === undefined) return undefined;
  return {
    pid,
    ppid: Number(status.PPid ?? ''),
    state: (status.State ?? '').charAt(0),
    uid: Number((status.Uid ?? '').split(/\s+/)[0]),
    nspid: (status.NSpid ?? '').split(/\s+/).map(Number),
  };
}

/**
 * Children of a process (zombies included): /proc/PID/task/TID/children of
 * every thread, so children forked by any thread of a multi-threaded parent count.
 */
export function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of threads) {
    try {
      children.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return children;
}

/** Does a hex signal mask from /proc include this signal number? */
export function maskHas(mask: string, signal: number): boolean {
  return (BigInt(`0x${mask}`) >> BigInt(signal - 1)) & 1n ? true : false;
}

/** The namespace a process is in, as `net:[4026532188]`. */
export function namespaceOf(pid: number, ns: 'net' | 'pid' | 'ipc' | 'uts' | 'mnt'): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}

// ---- The pause binary -------------------------------------------------------

export { DESIGNS };
export const MODES = ['PID 1', 'a plain process'] as const;
export type Mode = (typeof MODES)[number];

export interface PauseProcess extends Foreground {
  /** pause's pid on the host (inside the namespace it is 1 in PID 1 mode). */
  pid: number;
  /** Sends a signal to pause itself (not to unshare). */
  kill(signal: NodeJS.Signals): void;
}

/**
 * The command that runs the rest of a command line as PID 1 of a fresh PID
 * namespace (util-linux unshare, by its full path: a busybox shell would run
 * its own applet for a bare name).
 */
export function pid1Prefix(): string[] {
  const available = kernelAvailability();
  return [commandPath('unshare') ?? 'unshare', ...(available.ok && available.mode === 'userns' ? ['--user', '--map-root-user'] : []), '--pid', '--fork', '--kill-child'];
}

/**
 * Starts pause (or a shell command that ends in `exec pause`) in one mode.
 * `argv` is the full command line; extra stdio entries become fds 3, 4...;
 * stderr: a pipe read here (default), or an fd the test opened.
 * The exit is pause's (as unshare passes it on): a code, or the signal that killed it.
 */
export async function startPause(
  mode: Mode,
  argv: string[],
  extraStdio: 'pipe'[] = [],
  options: StdioOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<PauseProcess> {
  const prefix = mode === 'PID 1' ? pid1Prefix() : [];
  const [command, ...args] = [...prefix, ...argv];
  const started = foreground(command, args, options.env ?? process.env, extraStdio, options);
  const outer = started.child.pid as number;
  const pid = mode === 'PID 1'
    ? await until('unshare has forked', () =>
      childrenOf(outer)[0] ?? (started.child.exitCode !== null || started.child.pid === undefined ? -1 : undefined))
    : outer;
  return {
    ...started,
    pid,
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
export const SYS_RT_SIGTIMEDWAIT: Partial<Record<string, number>> = { x64: 128, arm64: 137 };

/** The system call a process is blocked in (from /proc/PID/syscall), if any. */
export function blockedSyscall(pid: number): number | undefined {
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
 * design; while it waits in rt_sigtimedwait the kernel shows them
 * unblocked), or INT and TERM blocked and CHLD blocked or ignored (autoreap
 * design: ignored in the reference mode, blocked in init mode).
 */
export function untilReady(pause: PauseProcess, design: Design): Promise<true> {
  return until(`pause (${pause.pid}) has set up its signals`, () => {
    const status = procStatus(pause.pid);
    if (status === undefined) throw new Error(`pause exited early: ${pause.stderr()}`);
    const mask = design === 'handlers' ? status.SigCgt : status.SigBlk;
    const chld = maskHas(mask, SIGCHLD) || (design === 'autoreap' && maskHas(status.SigIgn, SIGCHLD));
    if (chld && [SIGINT, SIGTERM].every((s) => maskHas(mask, s))) return true;
    return design !== 'handlers' && inSignalWait(pause.pid) ? true : undefined;
  });
}

/** Whether the process sleeps in rt_sigtimedwait (on the architectures whose number is known). */
function inSignalWait(pid: number): boolean {
  const waiting = SYS_RT_SIGTIMEDWAIT[process.arch];
  return waiting !== undefined && blockedSyscall(pid) === waiting;
}

/**
 * Waits until the pause of host pid `pid` (any design, in a container
 * whose image says nothing of it) takes SIGINT and SIGTERM: blocked,
 * caught, or waited for in rt_sigtimedwait. Before that, as a namespace
 * init, it would lose a SIGTERM to the kernel's protection.
 */
export function untilTakesShutdown(pid: number): Promise<true> {
  return until(`pause (${pid}) takes SIGINT and SIGTERM`, () => {
    const status = procStatus(pid);
    if (status === undefined) throw new Error(`pause (${pid}) is gone`);
    if ([SIGINT, SIGTERM].every((s) => maskHas(status.SigBlk, s) || maskHas(status.SigCgt, s))) return true;
    return inSignalWait(pid) ? true : undefined;
  });
}

/** Kills pause if a test left it running and waits for it. */
export async function stopPause(pause: PauseProcess | undefined): Promise<void> {
  if (pause === undefined) return;
  if (pause.child.exitCode === null && pause.child.signalCode === null) {
    pause.kill('SIGKILL');
    pause.child.kill('SIGKILL');
  }
  await pause.exited;
}

/** native/failcall: makes one system call fail (seccomp), then execs the rest of its command line. */
export const FAILCALL = `${NATIVE_DIR}failcall`;

/** failcall, built, on a host whose system call numbers it knows. */
export const FAILCALL_BUILT = need('native/failcall', () => (!existsSync(FAILCALL) ? `${FAILCALL} is missing: run 'npm run build'`
  : !['x64', 'arm64'].includes(process.arch) ? `failcall knows x86-64 and aarch64 hosts only, not ${process.arch}` : undefined));

/** The version pause prints: `pause.c <package.json version>`. */
export function expectedVersionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `pause.c ${pkg.version}\n`;
}

// ---- Init mode: pause -- PROGRAM ----------------------------------------------

/** The static busybox that plays the program in the init-mode tests (Debian's busybox-static). */
export const BUSYBOX = '/bin/busybox';

/** How the init-mode tests run pause: PID 1, or a plain process with -s (a subreaper) and without. */
export const INIT_MODES = ['PID 1', 'a plain process with -s', 'a plain process'] as const;
export type InitMode = (typeof INIT_MODES)[number];

/** The two lines pause prints in init mode when it is not PID 1 and not a subreaper. */
export const INIT_WARNING = 'Warning: pause should be the first process\n' +
  'pause: not PID 1: orphans will not be reaped; use -s or set PAUSE_SUBREAPER\n';

/** What pause prints on stderr at start in this mode. */
export function initWarning(mode: InitMode): string {
  return mode === 'a plain process' ? INIT_WARNING : '';
}

/** busybox, installed: the init-mode tests need it (with the kernel engine). */
export const BUSYBOX_INSTALLED = file(BUSYBOX, 'Debian: apt-get install busybox-static');

/** pause's command line in a mode: `-s` first for 'a plain process with -s', then `args` (options, `--`, the program). */
export function initArgv(mode: InitMode, binary: string, args: string[]): string[] {
  return [binary, ...(mode === 'a plain process with -s' ? ['-s'] : []), ...args];
}

/** Starts `pause [-s] ARGS...` (ARGS: options, `--`, the program and its arguments) in one mode. */
export function startInit(
  mode: InitMode,
  design: Design,
  args: string[],
  options: StdioOptions & { env?: NodeJS.ProcessEnv; binary?: string } = {},
): Promise<PauseProcess> {
  return startPause(mode === 'PID 1' ? 'PID 1' : 'a plain process', initArgv(mode, options.binary ?? pauseBinary(design), args), [], options);
}

/** Polls until the process's stdout contains `text` (a handshake), or fails saying what it printed. */
export function untilOutput(process: Foreground, text: string, timeoutMs = 10_000): Promise<true> {
  return until(`the output contains ${JSON.stringify(text)}`, () => {
    if (process.stdout().includes(text)) return true;
    if (process.child.exitCode !== null || process.child.signalCode !== null) {
      throw new Error(`exited (${process.child.exitCode ?? process.child.signalCode}) before printing ${JSON.stringify(text)}; ` +
        `stdout ${JSON.stringify(process.stdout())}, stderr ${JSON.stringify(process.stderr())}`);
    }
    return undefined;
  }, timeoutMs);
}

/** Polls until one of the lines the process printed on stdout is `line`. */
export function untilLine(process: Foreground, line: string, timeoutMs = 10_000): Promise<true> {
  return until(`a line of the output is ${JSON.stringify(line)}`, () => {
    if (process.stdout().split('\n').includes(line)) return true;
    if (process.child.exitCode !== null || process.child.signalCode !== null) {
      throw new Error(`exited (${process.child.exitCode ?? process.child.signalCode}) before printing ${JSON.stringify(line)}; ` +
        `stdout ${JSON.stringify(process.stdout())}, stderr ${JSON.stringify(process.stderr())}`);
    }
    return undefined;
  }, timeoutMs);
}

/**
 * The signals pause forwards, as a shell's `trap` names them: every one it
 * can take but CHLD and the CPU's faults (ILL TRAP BUS FPE SEGV).
 */
export const FORWARDABLE = [
  'HUP', 'INT', 'QUIT', 'ABRT', 'USR1', 'USR2', 'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CONT', 'TSTP', 'TTIN', 'TTOU',
  'WINCH', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'IO', 'PWR', 'SYS', ...Array.from({ length: 31 }, (_, i) => String(34 + i)),
] as const;

/** Node's name or number for a signal as `trap` names it (USR1 or 34). */
export const nodeSignal = (s: string): NodeJS.Signals | number => (/^\d+$/.test(s) ? Number(s) : (`SIG${s}` as NodeJS.Signals));

/**
 * A busybox shell script that traps `signals`, printing `PREFIX NAME` for
 * each, prints `PREFIX ready` (the handshake), and idles in the `wait`
 * builtin, which a trapped signal interrupts (the trap then runs); the sleep
 * it waits for is replaced each time. Quote it once more to nest it.
 */
export function trappingScript(signals: readonly string[], prefix = ''): string {
  const traps = signals.map((s) => `trap 'echo ${prefix}${s}' ${s}`).join('; ');
  return `${traps}; echo ${prefix}ready; while :; do busybox sleep 1000 & wait $!; kill $! 2>/dev/null; done`;
}

/** The program for trappingScript(): `busybox sh -c SCRIPT`. */
export function trappingProgram(signals: readonly string[]): string[] {
  return [BUSYBOX, 'sh', '-c', trappingScript(signals)];
}

/** The program: pause's one child, once pause has forked it (signals are taken by then). */
export function untilProgram(pause: PauseProcess): Promise<number> {
  return until(`pause (${pause.pid}) has forked its program`, () => {
    const children = childrenOf(pause.pid);
    if (children.length > 0) return children[0];
    if (pause.child.exitCode !== null || pause.child.signalCode !== null) {
      throw new Error(`pause exited before it forked: ${pause.stderr()}`);
    }
    return undefined;
  });
}

/** The process group of a process (/proc/PID/stat), if it is still there. */
export function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/**
 * Kills what an init-mode test left running: the process groups of pause's
 * children (the program makes its own), the extra pids given, then pause.
 */
export async function stopInit(pause: PauseProcess | undefined, others: number[] = []): Promise<void> {
  if (pause === undefined) return;
  for (const child of childrenOf(pause.pid)) {
    const group = processGroupOf(child);
    try {
      if (group !== undefined && group > 1) process.kill(-group, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const pid of others) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await stopPause(pause);
}
