// What the engine tests need from the host: running commands, polling to a
// deadline, reading /proc, and undoing everything they set up, in reverse
// order, even when a test fails half-way.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';

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

/** A long-running process whose exit code and output the test reads later. */
export interface Foreground {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

export function foreground(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Foreground {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: null, signal: null }));
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/**
 * Poll `probe` until it returns something other than undefined, or fail at
 * the deadline saying what was awaited and what was seen last.
 */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 5;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 100);
  }
}

/** Resolve with the process's exit, or fail at the deadline. */
export async function exitOf(process: Foreground, what: string, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
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

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  uid: number;
  /** The pid in each PID namespace, outermost first (NSpid). */
  nspid: number[];
}

/** /proc/PID/status, parsed; undefined once the process is gone. */
export function procInfo(pid: number): ProcInfo | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): string => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1] ?? '';
  return {
    pid,
    ppid: Number(field('PPid')),
    state: field('State').charAt(0),
    uid: Number(field('Uid').split(/\s+/)[0]),
    nspid: field('NSpid').split(/\s+/).map(Number),
  };
}

/** Every child of `pid` (zombies included), from a scan of /proc. */
export function childrenOf(pid: number): ProcInfo[] {
  const children: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (info !== undefined && info.ppid === pid) children.push(info);
  }
  return children;
}

/** The namespace a process is in, as `net:[4026532188]`. */
export function namespaceOf(pid: number, ns: 'net' | 'pid' | 'ipc' | 'uts' | 'mnt'): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}

/** A private temporary directory under the system's temp dir. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `pausekit-${label}-`));
}

/** Unmount anything still mounted at or below `dir` (deepest first). */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run('umount', ['-l', point]);
}

/**
 * Remove a cgroup directory the test created (`/pausekit-test-...`) in
 * every hierarchy, children first. rmdir only succeeds on empty cgroups,
 * so nothing that still holds a process is touched.
 */
export function removeCgroup(path: string): void {
  if (!existsSync('/sys/fs/cgroup')) return;
  const roots = readdirSync('/sys/fs/cgroup', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join('/sys/fs/cgroup', entry.name));
  roots.push('/sys/fs/cgroup');
  const removeTree = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) removeTree(join(dir, entry.name));
    try {
      rmdirSync(dir);
    } catch {
      // still in use, or not ours: leave it
    }
  };
  for (const root of roots) {
    const dir = join(root, path);
    if (existsSync(dir) && dir !== root) removeTree(dir);
  }
}

/** Undo steps, run last-in first-out; every step runs even if one fails. */
export class Cleanup {
  private readonly steps: { label: string; step: () => unknown }[] = [];

  add(label: string, step: () => unknown): void {
    this.steps.push({ label, step });
  }

  async run(): Promise<void> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const { label, step } = this.steps.pop()!;
      try {
        await step();
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0) console.warn(`cleanup problems:\n  ${failures.join('\n  ')}`);
  }
}

/** rm -rf, for Cleanup steps. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Is `command` on PATH? */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * Whether an engine test can run here. CI sets PAUSEKIT_REQUIRE_ENGINES=1,
 * which turns "cannot run" into a failure instead of a skip.
 */
export type Availability = { ok: true } | { ok: false; reason: string };

export function needs(commands: string[]): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'engine tests need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'engine tests need root' };
  const missing = commands.filter((command) => !onPath(command) && !existsSync(command));
  if (missing.length > 0) return { ok: false, reason: `not installed: ${missing.join(', ')}` };
  return { ok: true };
}

export const ENGINES_REQUIRED = process.env.PAUSEKIT_REQUIRE_ENGINES === '1';

/** The describe() title suffix and the warning for a skipped engine test. */
export function skipNote(engine: string, availability: Availability): string {
  if (availability.ok) return '';
  const note = `skipped: ${availability.reason}`;
  console.warn(`${engine} tests ${note}`);
  if (ENGINES_REQUIRED) throw new Error(`PAUSEKIT_REQUIRE_ENGINES=1 but the ${engine} tests cannot run: ${availability.reason}`);
  return ` (${note})`;
}

/** The engine a test needs, or the test is skipped with the printed reason. */
export function readyOrSkip<T>(ctx: TestContext, engine: T | undefined, reason: string): T {
  if (engine === undefined) {
    console.warn(`skipped: ${reason}`);
    return ctx.skip(reason);
  }
  return engine;
}
